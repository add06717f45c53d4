# The two commands of the README, and a few helpers.
SWIFT ?= swift
BIN = .build/debug/workershome

.PHONY: run test build demo-province format clean-data

## Build, load the small Hebei demo on first run (SQLite in ./data), and serve on http://127.0.0.1:8080
run: build
	$(BIN) demo --scale small
	$(BIN) serve

## Every test: Swift on SQLite and on PostgreSQL, then the browser test
test:
	scripts/test

build:
	scripts/install-deps build
	$(SWIFT) build --product workershome

## The province-sized demo (about 55,000 unions) into DATABASE_URL (or ./data)
demo-province: build
	$(BIN) demo --scale province

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

## Start again from an empty SQLite database
clean-data:
	rm -rf data
