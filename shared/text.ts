/** User text shown back in messages: control and invisible characters made visible, long text cut. */
export function displayText(text: string, max = 80): string {
  const cut = [...text].length > max ? `${[...text].slice(0, max - 1).join('')}…` : text;
  return cut.replace(/[^\p{L}\p{N}\p{P}\p{S} ]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
