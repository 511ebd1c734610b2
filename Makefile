# Malha: `make run` sets everything up and runs the demo city; `make test` runs the tests.
.PHONY: setup services run test lint stop demo backup restore

setup:
	@scripts/bootstrap.sh

services: setup
	@scripts/services.sh start

run: services
	@scripts/run.sh

test: services
	@scripts/test.sh

# The code's own rules: ruff, and the import-linter contract of the app layers.
lint: setup
	@.venv/bin/ruff check .
	@.venv/bin/lint-imports

stop:
	@scripts/services.sh stop

# The database, uploaded files and secret key into .var/backups/<date-time>/ (or BACKUP=dir);
# `make restore BACKUP=dir YES=1` puts one back, replacing the database, files and key.
backup: services
	@scripts/backup.sh $(BACKUP)

restore: services
	@scripts/restore.sh "$(BACKUP)" $(if $(YES),--yes,)
