/** Sizes and durations of one bench run: the full run, or the quick smoke that CI runs (`--quick`). */
export interface BenchOptions {
  quick: boolean;
  /** Record a CPU profile of the Gwar server at its knee and in the big group (bench/results/profiles). */
  profile: boolean;
  /** --only=fanout,history,connections,coldstart,uploads,livechat: the parts to run (all when absent), for work on one of them. */
  only: Set<string> | null;
  fanout: { groups: number; groupSize: number; workers: number; rates: number[]; stepSeconds: number };
  knee: { gwarStart: number; relayStart: number; factor: number; maxSteps: number; bisections: number; stepSeconds: number; maxRate: number };
  /** Seconds to wait for the last pushes of a step before counting the missing ones as lost. */
  drainSeconds: number;
  bigGroup: { members: number; rate: number; seconds: number };
  connections: { sockets: number; companySize: number; workers: number };
  history: { messages: number; deep: number; samples: number; budgetSeconds: number };
  panel: { users: number; groups: number; samples: number };
  pgInsertSeconds: number;
  coldStartRuns: number;
  /** Part 7: how many large images are uploaded, how many at once, and how long the server then idles before its RSS is read. */
  uploads: { count: number; parallel: number; idleSeconds: number };
  /** With --profile: the rates (msg/s) of the extra, profiled Gwar steps in the small groups and the big group. */
  profileRates: { groups: number; bigGroup: number };
  /** Part 8: consultants on duty, chats (each a visitor's first message and a second one), how many visitors at once. */
  livechat: { consultants: number; chats: number; lanes: number };
}

/**
 * `--rates=100,200`, `--seconds=15` and `--groups=100` change part 1's fixed rates, their length and the number of
 * groups of 10, and `--fixed-only` skips the knee: longer steps at one rate measure CPU per message steadily on a
 * busy machine (before/after runs).
 */
export function benchOptions(argv: string[]): BenchOptions {
  const options = baseOptions(argv);
  const flag = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const rates = flag('rates');
  if (rates) options.fanout.rates = rates.split(',').map(Number);
  const seconds = flag('seconds');
  if (seconds) options.fanout.stepSeconds = Number(seconds);
  const groups = flag('groups');
  if (groups) options.fanout.groups = Number(groups);
  // Only the fixed rates (a one-second big group stands in for part 3): before/after runs of CPU per message.
  if (argv.includes('--fixed-only')) {
    options.knee.maxSteps = 0;
    options.bigGroup = { ...options.bigGroup, rate: 1, seconds: 1 };
  }
  return options;
}

function baseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const profile = argv.includes('--profile');
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const only = onlyArg ? new Set(onlyArg.slice(7).split(',')) : null;
  if (quick) {
    return {
      quick,
      profile,
      only,
      fanout: { groups: 10, groupSize: 10, workers: 1, rates: [50, 100], stepSeconds: 2 },
      knee: { gwarStart: 2, relayStart: 200, factor: 2, maxSteps: 4, bisections: 0, stepSeconds: 2, maxRate: 5000 },
      drainSeconds: 2,
      bigGroup: { members: 100, rate: 20, seconds: 3 },
      connections: { sockets: 300, companySize: 100, workers: 1 },
      history: { messages: 10_000, deep: 9_000, samples: 10, budgetSeconds: 5 },
      panel: { users: 1000, groups: 200, samples: 10 },
      pgInsertSeconds: 1,
      coldStartRuns: 1,
      uploads: { count: 6, parallel: 3, idleSeconds: 2 },
      profileRates: { groups: 20, bigGroup: 5 },
      livechat: { consultants: 2, chats: 20, lanes: 2 },
    };
  }
  return {
    quick,
    profile,
    only,
    fanout: { groups: 100, groupSize: 10, workers: 2, rates: [100, 250, 500, 1000], stepSeconds: 15 },
    knee: { gwarStart: 10, relayStart: 250, factor: 1.5, maxSteps: 14, bisections: 2, stepSeconds: 10, maxRate: 20_000 },
    drainSeconds: 5,
    bigGroup: { members: 1000, rate: 20, seconds: 20 },
    connections: { sockets: 10_000, companySize: 100, workers: 4 },
    history: { messages: 1_000_000, deep: 900_000, samples: 30, budgetSeconds: 60 },
    panel: { users: 1000, groups: 200, samples: 50 },
    pgInsertSeconds: 5,
    coldStartRuns: 3,
    uploads: { count: 100, parallel: 4, idleSeconds: 30 },
    profileRates: { groups: 30, bigGroup: 5 },
    livechat: { consultants: 4, chats: 300, lanes: 4 },
  };
}
