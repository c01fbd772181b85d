import { setFlagsFromString } from 'node:v8'

/**
 * Stops V8's young generation from growing any further. While the watcher polls, the SDK parses large
 * answers (DescribeTargetHealth of 1000 targets per group during a 500-task image change) and V8 grows the
 * young generation towards 3 × 16 MB: peak RSS 125 MB against 102 MB when it stays at the size it has.
 * `--max-semi-space-size` would do it at process start, which an action cannot pass to node; the growth
 * factor is read each time V8 considers growing, so setting it at run time takes effect. Called once the
 * deploy is applied, not at start: a young generation pinned at its initial size costs startup ~10 ms of
 * scavenges (bench/RESULTS.md, "Cold start" and "Scale").
 */
export function stopYoungGenerationGrowth(): void {
  setFlagsFromString('--semi-space-growth-factor=1')
}
