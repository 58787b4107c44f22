// Where the command line writes: standard output for results, standard error for the one-line failure. A test
// passes its own, to read what a command printed.
export interface Output {
  print(line: string): void;
  error(line: string): void;
}

export const processOutput: Output = {
  print: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};
