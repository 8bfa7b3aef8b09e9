/**
 * About how many bytes a value takes in the JSON body of a request, without serializing it: strings by
 * their length (plus quotes), numbers as at most 8 digits' worth, containers by their parts. A bulk request
 * is closed by this estimate, so that wide rows do not make requests of tens of megabytes. It undercounts
 * escapes and multi-byte characters, which is fine for a limit that is a size class, not a hard cap.
 */
export function jsonSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 3;
    case 'number':
    case 'bigint':
      return 9;
    case 'boolean':
      return 6;
    case 'object': {
      if (value === null) return 5;
      if (Array.isArray(value)) {
        let size = 2;
        for (const item of value) size += jsonSize(item);
        return size;
      }
      if (value instanceof Date) return 27;
      let size = 2;
      for (const [key, item] of Object.entries(value)) size += key.length + 4 + jsonSize(item);
      return size;
    }
    default:
      return 5;
  }
}
