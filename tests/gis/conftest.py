from pathlib import Path

TINY_OSM = Path(__file__).parent / "data" / "tiny.osm"
