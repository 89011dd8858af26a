# The two front-door commands (see README.md):
#   make run    fresh machine → install → build France from the sources → serve on http://127.0.0.1:8000
#   make test   fresh machine → install → the test suite
SOURCES ?=
STORE ?= store
PORT ?= 8000
SOURCES_FLAG = $(if $(SOURCES),--sources $(SOURCES),)

.PHONY: setup run build serve test bench lint clean

setup:
	scripts/setup.sh

build: setup
	.venv/bin/rezone build $(SOURCES_FLAG) --store $(STORE)

serve:
	.venv/bin/rezone serve --store $(STORE) --host 127.0.0.1 --port $(PORT)

run: build serve

test:
	scripts/setup.sh --browser --sam
	.venv/bin/python -m pytest -n 2 -q

bench: setup
	.venv/bin/python benchmarks/run_all.py

lint:
	.venv/bin/ruff check layers tiles infra functions tests benchmarks

clean:
	rm -rf .rezone store web/dist
