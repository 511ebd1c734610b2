# Malha: `make run` sets everything up and runs the demo city; `make test` runs the tests.
.PHONY: setup services run test stop demo

setup:
	@scripts/bootstrap.sh

services: setup
	@scripts/services.sh start

run: services
	@scripts/run.sh

test: services
	@scripts/test.sh

stop:
	@scripts/services.sh stop
