// The operator's command line, `npx cdk-rekognition-custom-labels <command>`: see every model the stacks run, hold and
// release one, read its plan. It follows the AWS CLI's conventions (--region, --profile, the SDK's credential chain,
// AWS_ENDPOINT_URL_* honoured, exit code 0 on success and 1 with one line on standard error on failure, 2 for a usage
// error). Built into cli/dist/cli.js with the AWS SDK inside, so an installed package runs it as it is.
import { parseArgs } from 'util';
import { AwsClients, awsClients } from './aws-clients';
import { holdCommand, releaseCommand } from './commands/hold';
import { planCommand } from './commands/plan';
import { statusCommand } from './commands/status';
import { Output, processOutput } from './output';

const NAME = 'cdk-rekognition-custom-labels';

const COMMON = `Options of every command:
  --region <region>    the region (default: the SDK's chain, AWS_REGION or the profile's)
  --profile <name>     a named profile of the shared AWS config and credentials files
  --stack <name>       only the models of this stack (repeatable)
  --help               this help`;

const HELP: Record<string, string> = {
  '': `Usage: ${NAME} <command> [options]

Commands:
  status               every model the library's stacks run, one line each
  hold <model>         hold a model RUNNING or STOPPED until a time, without a deploy
  release <model>      end a model's hold: it returns to its schedule
  plan <model>         the model's next days: windows, exceptions, the hold in force

A model is <stack>/<construct path> (as status prints it) or its version ARN.
Run '${NAME} <command> --help' for a command's options.

${COMMON}`,
  status: `Usage: ${NAME} status [--json] [options]

Lists every model that a stack of this library runs in the account and region: stack and construct path, version,
status, units (declared, and in service), what its schedule wants now and why, the hold, and the next transition.
A '*' marks a model that is not where its schedule wants it.
  --json               the same as a JSON list, for scripts (fields: see the README's operations section)

${COMMON}`,
  hold: `Usage: ${NAME} hold <model> (--running [--units N | --units MIN-MAX] | --stopped) (--for <duration> | --until <instant>) [options]

Writes the model's hold parameter, after checking the hold as the scheduled path will: a hold it would ignore (over
${7} days, more units than the declaration allows, holds not enabled) is refused and nothing is written.
  --running            keep it RUNNING (with --units, those units; without, the units its schedule gives)
  --stopped            keep it STOPPED
  --for <duration>     how long: 90m, 2h, 1d, 1d12h
  --until <instant>    until an ISO 8601 instant with Z or an offset: 2027-03-22T18:00:00Z

${COMMON}`,
  release: `Usage: ${NAME} release <model> [options]

Ends the model's hold (writes "none" to its hold parameter): the next pass returns it to its schedule.

${COMMON}`,
  plan: `Usage: ${NAME} plan <model> [--days N] [options]

Prints the model's next days as its deployed stack runs them: every opening and closing of its windows, with its
calendar exceptions, in local time and UTC; the hold in force; and a week at a glance.
  --days <N>           how many days, 1 to 366 (default 7)

${COMMON}`,
};

/** A mistake in the command's words: exit code 2, with the command's usage. */
class UsageError extends Error {}

/** A duration such as 90m, 2h, 1d or 1d12h, in milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text);
  if (!m || text === '') throw new UsageError(`--for takes a duration such as 90m, 2h, 1d or 1d12h, got "${text}"`);
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000;
}

function parseUnits(text: string | undefined): { minInferenceUnits?: number; maxInferenceUnits?: number } {
  if (text === undefined) return {};
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`--units takes N or MIN-MAX (whole numbers), got "${text}"`);
  return { minInferenceUnits: Number(m[1]), ...(m[2] !== undefined ? { maxInferenceUnits: Number(m[2]) } : {}) };
}

export interface CommandLineContext {
  readonly out?: Output;
  /** The AWS clients to use; by default those the options and the environment configure. */
  readonly clients?: (options: { region?: string; profile?: string }) => AwsClients;
}

/** Runs one command; returns its exit code. Never throws. */
export async function main(argv: readonly string[], context: CommandLineContext = {}): Promise<number> {
  const out = context.out ?? processOutput;
  const given = argv[0] && !argv[0].startsWith('-') ? argv[0] : '';
  const command = given in HELP ? given : '';
  try {
    if (given !== command) throw new UsageError(`unknown command "${given}"`);
    const { values, positionals } = parseArgs({
      args: argv.slice(command ? 1 : 0),
      allowPositionals: true,
      options: {
        region: { type: 'string' },
        profile: { type: 'string' },
        stack: { type: 'string', multiple: true },
        help: { type: 'boolean' },
        json: { type: 'boolean' },
        running: { type: 'boolean' },
        stopped: { type: 'boolean' },
        units: { type: 'string' },
        for: { type: 'string' },
        until: { type: 'string' },
        days: { type: 'string' },
      },
    });
    if (values.help || command === '') {
      out.print(HELP[command]);
      return values.help ? 0 : 2;
    }
    const aws = (context.clients ?? awsClients)({ region: values.region, profile: values.profile });
    const stacks = values.stack ?? [];
    const modelName = (): string => {
      if (positionals.length !== 1) throw new UsageError(`${command} takes one model (<stack>/<construct path> or a version ARN)`);
      return positionals[0];
    };
    switch (command) {
      case 'status':
        if (positionals.length > 0) throw new UsageError('status takes no model: use --stack to narrow it');
        return await statusCommand(aws, { stacks, json: values.json === true }, out);
      case 'hold': {
        const model = modelName();
        if (values.running === values.stopped) throw new UsageError('hold takes one of --running and --stopped');
        if ((values.for === undefined) === (values.until === undefined)) throw new UsageError('hold takes one of --for and --until');
        if (values.stopped && values.units !== undefined) throw new UsageError('--units goes with --running');
        let until: number;
        if (values.for !== undefined) {
          until = Date.now() + parseDuration(values.for);
        } else {
          until = Date.parse(values.until!);
          if (!/(Z|[+-]\d{2}:\d{2})$/.test(values.until!) || Number.isNaN(until)) throw new UsageError(`--until takes an ISO 8601 instant with Z or an offset (2027-03-22T18:00:00Z), got "${values.until}"`);
        }
        return await holdCommand(aws, { model, state: values.running ? 'RUNNING' : 'STOPPED', until, ...parseUnits(values.units) }, stacks, out);
      }
      case 'release':
        return await releaseCommand(aws, modelName(), stacks, out);
      case 'plan': {
        const days = values.days === undefined ? 7 : Number(values.days);
        if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError(`--days takes a whole number from 1 to 366, got "${values.days}"`);
        return await planCommand(aws, modelName(), days, stacks, out);
      }
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (e) {
    const usage = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const err = e as { name?: string; message?: string };
    // The SDK's words for a missing region name no option: say which one sets it.
    const text = err.message === 'Region is missing' ? 'no region: give --region or set AWS_REGION (or a region in the profile)'
      : err.name === 'CredentialsProviderError' ? 'no AWS credentials: give --profile, set AWS_PROFILE, or sign in (aws sso login) as for the AWS CLI'
        : (err.message ?? String(e)).split('\n')[0];
    out.error(`${NAME}${command ? ` ${command}` : ''}: ${err.name && !usage && err.name !== 'Error' ? `${err.name}: ` : ''}${text}`);
    if (usage) out.error(`Run '${NAME}${command ? ` ${command}` : ''} --help' for its usage.`);
    return usage ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
