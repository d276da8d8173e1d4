/**
 * The one accent-folding used for stored search text and for queries, so "quyet dinh" finds
 * "Quyết định": NFD, combining marks removed, đ→d, lower case, whitespace collapsed. Done in
 * code because PostgreSQL's unaccent extension needs a superuser to install.
 */
export function foldForSearch(text: string): string {
  return (
    text
      // Control characters (PDF text layers carry NULs) are not text and PostgreSQL refuses NUL.
      .replace(/\p{Cc}/gu, ' ')
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .trim()
  );
}
