// The one error type for user mistakes: bad files, unsupported ops, wrong inputs.
// The CLI prints its message on one line and exits 2; anything else is a bug.

export interface ErrorPlace {
  readonly file?: string;
  readonly node?: string;
  readonly op?: string;
}

export class SolderError extends Error {
  readonly place: ErrorPlace;

  constructor(problem: string, place: ErrorPlace = {}) {
    super(formatMessage(problem, place));
    this.name = 'SolderError';
    this.place = place;
  }

  /** The same problem, with the file it came from filled in when not known yet. */
  inFile(file: string): SolderError {
    if (this.place.file !== undefined) return this;
    const problem = this.message;
    return new SolderError(stripPlace(problem, this.place), { ...this.place, file });
  }
}

function formatMessage(problem: string, place: ErrorPlace): string {
  const where: string[] = [];
  if (place.file !== undefined) where.push(place.file);
  if (place.node !== undefined) {
    where.push(place.op !== undefined ? `node '${place.node}' (${place.op})` : `node '${place.node}'`);
  } else if (place.op !== undefined) {
    where.push(`op ${place.op}`);
  }
  const oneLine = problem.replace(/\s*\n\s*/g, ' ');
  return where.length > 0 ? `${where.join(': ')}: ${oneLine}` : oneLine;
}

function stripPlace(message: string, place: ErrorPlace): string {
  const prefix = formatMessage('', place);
  return prefix.length > 0 && message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** Throws a SolderError unless the condition holds. */
export function ensure(cond: boolean, problem: string, place?: ErrorPlace): asserts cond {
  if (!cond) throw new SolderError(problem, place);
}
