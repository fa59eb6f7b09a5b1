import type { HttpClient } from '../lib/http-client.js';

/** What one iteration ended as: success, or a short label to count errors by (e.g. "HTTP 401"). */
export type Outcome = { ok: true } | { ok: false; label: string };

/** Runs the project's CLI against the benchmark's database, resolving with its stdout. */
export type CliRunner = (args: string[]) => Promise<string>;

/**
 * One kind of work the benchmark measures, e.g. an LTI 1.1 launch. An iteration is one
 * unit of that work as a user experiences it: a single request for LTI 1.1, but a scenario
 * may make several (an LTI 1.3 launch is a login, an auth redirect and a form post), and
 * its latency is the whole iteration.
 */
export interface Scenario {
  /** Runs before the server starts, with the CLI on the same database (register consumers, keys…). */
  provision(cli: CliRunner): Promise<void>;
  /** One unit of work against the running server. Must not throw for an HTTP-level failure. */
  iteration(client: HttpClient): Promise<Outcome>;
  /**
   * Microseconds of bench-process CPU it takes to prepare one iteration (signing, say), so
   * the report can say how much of the shared machine the load generator itself takes.
   */
  clientCostMicros(): number;
}

export interface ScenarioContext {
  /** The origin requests are sent to and signed for, e.g. http://127.0.0.1:41234. */
  origin: string;
  /** Resource links the launches spread over (ten per course); 1 is a whole cohort opening one exam. */
  links: number;
}

export interface ScenarioDefinition {
  /** Short id: the --scenario flag and the JSON output use it. */
  id: string;
  /** Heading for the report. */
  title: string;
  create(context: ScenarioContext): Scenario;
  /** The acceptance target on SQLite, if the scenario has one; the report says whether it is met. */
  sqliteTarget?: { perSecond: number; p99Ms: number };
}
