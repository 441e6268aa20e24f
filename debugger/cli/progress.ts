// Progress lines for long commands: on stderr, and only when it is a terminal, so that
// pipes and logs get the result alone.
export interface Progress {
  (what: string): void;
  /** Clears the progress line. */
  done(): void;
}

export function progress(command: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const on = stream.isTTY === true;
  let shown = false;
  const say = ((what: string) => {
    if (!on) return;
    stream.write(`\r\x1b[2K${command}: ${what}...`);
    shown = true;
  }) as Progress;
  say.done = () => {
    if (on && shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return say;
}
