# Quick start on a fresh Debian machine: `make build`, then `make test`.
SWIFT ?= swift
BULLETIN = .build/release/bulletin
# The Swift runtime and Foundation linked into the program: it starts in 10 ms instead of
# 19 (loading and relocating eight Swift libraries), a tenth of a warm build, and runs
# where Swift is not installed. The binary is 125 MB instead of 53.
RELEASE = -c release --product bulletin --static-swift-stdlib
APT_PACKAGES = libcmark-gfm-dev libcmark-gfm-extensions-dev libvips-dev libcurl4-openssl-dev pkg-config

PREFIX ?= /usr/local

.PHONY: build binary install test unit-test validate install-check fuzz cache-check deps test-deps bench clean

build: binary
	$(BULLETIN) build --source . --output output

# The release binary alone.
binary: deps
	python3 scripts/embed-theme.py
	$(SWIFT) build $(RELEASE)

# `bulletin` on the PATH (PREFIX=/usr/local by default, DESTDIR for packaging), with
# its shell completions for bash, zsh and fish. It needs no Swift on the machine: only
# the C libraries `make deps` installs (libcmark-gfm, libvips and libcurl, the last two
# loaded when first needed).
install: binary
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BULLETIN) $(DESTDIR)$(PREFIX)/bin/bulletin
	$(BULLETIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/bulletin
	$(BULLETIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_bulletin
	$(BULLETIN) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/bulletin.fish

# Installs the Debian packages Bulletin links against, only when missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# The whole suite: Swift unit and end-to-end tests, then the external judges
# (Nu HTML checker, feedparser, axe-core in headless Chromium) on the example site,
# `bulletin send` against a real SMTP server (aiosmtpd) on loopback,
# then the build cache against cold builds after random edits, then two minutes of
# fuzzing (scripts/fuzz.sh SECONDS runs longer).
test: deps unit-test validate cache-check fuzz

unit-test:
	$(SWIFT) test

validate: test-deps build
	@# The release binary carries the Swift runtime and Foundation (see RELEASE above).
	@if ldd $(BULLETIN) | grep -E 'libswiftCore|libFoundation'; then \
	  echo "$(BULLETIN) links the Swift libraries dynamically: build it with --static-swift-stdlib" >&2; exit 1; fi
	.venv/bin/python Tests/external/validate_site.py output
	.venv/bin/python Tests/external/validate_email.py output
	.venv/bin/python Tests/external/print_pdf.py output
	@# The example recoloured by one line of site.yml, judged again (axe-core's contrast
	@# checks above all); --strict: a warning about the palette's contrast fails it.
	rm -rf .build/recoloured && mkdir -p .build/recoloured && cp -r site.yml issues static .build/recoloured/
	echo 'colors: {accent: "#7a1f5c"}' >> .build/recoloured/site.yml
	$(BULLETIN) build --source .build/recoloured --output .build/recoloured/output --no-cache --strict --quiet
	.venv/bin/python Tests/external/validate_site.py .build/recoloured/output
	.venv/bin/python Tests/external/serve_browser.py $(BULLETIN)
	.venv/bin/python Tests/external/sanitizer_browser.py $(BULLETIN)
	.venv/bin/python Tests/external/send_smtp.py $(BULLETIN)
	scripts/check-install.sh

# `make install` into a scratch prefix, and the installed binary run where Swift is not.
install-check: binary
	scripts/check-install.sh

# Warm builds after random edits, each compared with a cold build, on a test site and a
# generated corpus of 50 issues.
cache-check: build
	python3 scripts/cache-check.py $(BULLETIN) Tests/BulletinKitTests/Fixtures/valid-basic --rounds 25 --seed 4
	rm -rf .build/cache-check-corpus
	python3 scripts/gen_corpus.py --issues 50 --layout bulletin --out .build/cache-check-corpus --force >/dev/null
	python3 scripts/cache-check.py $(BULLETIN) .build/cache-check-corpus --rounds 25 --seed 1

# A fixed seed, so that CI repeats the same mutations (FUZZ_SEED=random explores new ones).
fuzz: build
	python3 scripts/fuzz.py --seconds $${FUZZ_SECONDS:-120} $$( [ "$${FUZZ_SEED:-30}" = random ] || echo --seed $${FUZZ_SEED:-30} )

test-deps:
	@scripts/install-test-deps.sh

bench:
	scripts/bench.sh

clean:
	rm -rf .build output .venv
