# vsscare — `make demo` to try it, `make test` to check it. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
BENCH_PEOPLE ?= 1000000
BENCH_REQUESTS ?= 1000000

.PHONY: install demo test lint format bench messages clean

$(BIN)/.installed: pyproject.toml
	bash scripts/system-deps.sh base
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/vsscare demo

test: install
	bash scripts/system-deps.sh test
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: install
	bash scripts/system-deps.sh test
	$(BIN)/python bench/jobs.py
	$(BIN)/python bench/serve_start.py
	$(BIN)/python bench/knowledge.py
	$(BIN)/python bench/answering.py
	$(BIN)/python bench/requests.py --requests $(BENCH_REQUESTS)
	$(BIN)/python bench/customers.py --people $(BENCH_PEOPLE)

messages: install
	mkdir -p var
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o var/messages.pot src/vsscare
	$(BIN)/pybabel update -i var/messages.pot -d src/vsscare/locale -D messages --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
