# Briefing — the two README commands are `make html` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PELICAN := $(BIN)/pelican
OUTPUT := output

.PHONY: html publish serve test tools goldens lint bench bench-sources fuzz clean distclean rsync_upload

# Where `make rsync_upload` sends output/: user@host:/path/, or a local folder
# (`make publish rsync_upload BRIEFING_RSYNC_TARGET=…`, or set it in the environment)
BRIEFING_RSYNC_TARGET ?=

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

html: $(STAMP)
	$(PELICAN) content -s pelicanconf.py -o $(OUTPUT)

publish: $(STAMP)
	$(PELICAN) content -s publishconf.py -o $(OUTPUT)
	$(BIN)/briefing ping -s publishconf.py

# The published site to a server or folder: only files whose size or time changed are sent
# (a page that did not change keeps its time: the build links it from the last site), and
# files no longer in the site are deleted there.
rsync_upload:
	@test -n "$(BRIEFING_RSYNC_TARGET)" || { echo "make rsync_upload: set BRIEFING_RSYNC_TARGET (user@host:/var/www/site/)" >&2; exit 2; }
	@test -d "$(OUTPUT)" || { echo "make rsync_upload: no $(OUTPUT)/ to upload; run make publish first" >&2; exit 2; }
	rsync --recursive --links --times --omit-dir-times --delete --compress --stats \
		$(RSYNC_FLAGS) "$(OUTPUT)/" "$(BRIEFING_RSYNC_TARGET)"

serve: $(STAMP)
	$(BIN)/briefing serve --bind 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/ruff check plugins tests benchmarks fuzz
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# The checkers the browser and HTML tests drive (axe-core, the Nu HTML checker), from npm.
# They also need Debian's chromium and a Java runtime: .ci/run installs those.
tools: tools/node_modules/.installed

tools/node_modules/.installed: tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund
	@touch $@

# Briefing against stock Pelican on the same corpus (N=1000 and 5000; minutes, not seconds)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py --stories 1000 5000

# `briefing sources check` on 5,000 URLs over 50 hosts of a fake web on loopback
bench-sources: $(STAMP)
	$(BIN)/python benchmarks/sources_check.py --urls 5000 --hosts 50 --latency 0.02

# Coverage-guided fuzzing of the story reader (atheris), time-boxed; FUZZ_SECONDS=600 for longer
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet 'atheris>=2.3'
	$(BIN)/python fuzz/seed_corpus.py
	$(BIN)/python fuzz/fuzz_story.py fuzz/corpus -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048

goldens: $(STAMP)
	BRIEFING_UPDATE_GOLDENS=1 $(BIN)/python -m pytest tests/site/test_golden_site.py tests/site/test_email.py -k golden

lint: $(STAMP)
	$(BIN)/ruff check plugins tests benchmarks fuzz
	$(BIN)/ruff format --check plugins tests benchmarks

clean:
	rm -rf $(OUTPUT) .$(OUTPUT).staging-* .$(OUTPUT).old-* .$(OUTPUT).trash-* .$(OUTPUT).spare cache .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info plugins/*.egg-info tools/node_modules
