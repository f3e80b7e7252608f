// Preloaded (`--import`) into every process of an `npm test` run. Each test file runs in a child
// process that sends its results to the runner over stdout, a pipe, whose writes are asynchronous
// on Linux; `--test-force-exit` then ends the child with `process.exit()`, and the writes still
// queued are lost: the last tests of a file vanish from the counts, with exit code 0
// (nodejs/node#64833; one CI run reported 844 of 852). Blocking writes cannot be left queued.
process.stdout._handle?.setBlocking?.(true);
