"""What every phase of a demo load shares: its size, its seeded randomness and progress bars."""
import datetime
import random
from dataclasses import dataclass

from tqdm import tqdm

BATCH_SIZE = 2000


@dataclass(frozen=True)
class DemoSize:
    clients: int = 20_000
    boxes: int | None = None  # None: enough boxes for the clients (plant.boxes_needed)
    orders: int = 300
    technicians: int = 25


@dataclass(frozen=True)
class DemoRun:
    seed: int
    size: DemoSize
    today: datetime.date
    progress: bool = False

    def rng(self, phase):
        """One generator per phase, so a change in one phase never reshuffles the others.

        String seeds are hashed with SHA-512, the same in every process.
        """
        return random.Random(f"{self.seed}:{phase}")

    def bar(self, iterable=None, **options):
        return tqdm(iterable, disable=not self.progress, **options)

    def save(self, model, rows, description):
        """bulk_create in batches, with a progress bar; the rows get their primary keys."""
        with self.bar(total=len(rows), desc=description, unit=" rows") as bar:
            for start in range(0, len(rows), BATCH_SIZE):
                batch = rows[start:start + BATCH_SIZE]
                model.objects.bulk_create(batch)
                bar.update(len(batch))
        return rows
