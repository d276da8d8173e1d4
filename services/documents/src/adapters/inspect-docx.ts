import yauzl from 'yauzl';
import { AppError } from '@vanthu/platform';

export type DocxLimits = { maxEntries: number; maxUncompressedBytes: number; maxRatio: number };

export const defaultDocxLimits: DocxLimits = {
  maxEntries: 2_000,
  maxUncompressedBytes: 200 * 1024 * 1024,
  maxRatio: 100,
};

type Entry = { fileName: string; compressedSize: number; uncompressedSize: number };

function readCentralDirectory(file: string, maxEntries: number): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true, validateEntrySizes: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error('no zip'));
      if (zip.entryCount > maxEntries) {
        zip.close();
        return reject(
          new AppError('UNPROCESSABLE', `the DOCX has ${zip.entryCount} parts; at most ${maxEntries} are accepted`),
        );
      }
      const entries: Entry[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.push({
          fileName: entry.fileName,
          compressedSize: entry.compressedSize,
          uncompressedSize: entry.uncompressedSize,
        });
        zip.readEntry();
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/**
 * Checks a zip is a Word document and not a decompression bomb before anything unpacks it:
 * the central directory's declared sizes bound the total and the compression ratio (a DOCX
 * of text compresses ~5–20×; bombs reach 1000× and more). yauzl also refuses entries whose
 * real size differs from the declared one, so the declaration cannot lie to LibreOffice's reader.
 */
export async function inspectDocx(
  file: string,
  sizeBytes: number,
  limits: DocxLimits = defaultDocxLimits,
): Promise<void> {
  let entries: Entry[];
  try {
    entries = await readCentralDirectory(file, limits.maxEntries);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'the file starts like a zip but its directory cannot be read; only PDF and DOCX are accepted',
      { cause: error },
    );
  }
  const names = new Set(entries.map((e) => e.fileName));
  if (!names.has('[Content_Types].xml') || !names.has('word/document.xml')) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'the zip is not a Word document (no word/document.xml); only PDF and DOCX are accepted',
    );
  }
  const total = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (total > limits.maxUncompressedBytes) {
    throw new AppError(
      'UNPROCESSABLE',
      `the DOCX would unpack to ${total} bytes; at most ${limits.maxUncompressedBytes} are accepted (decompression bomb?)`,
    );
  }
  const ratio = total / Math.max(1, sizeBytes);
  const worst = entries.reduce((max, e) => Math.max(max, e.uncompressedSize / Math.max(1, e.compressedSize)), 0);
  if (ratio > limits.maxRatio || worst > limits.maxRatio * 10) {
    throw new AppError(
      'UNPROCESSABLE',
      `the DOCX compresses ${Math.round(Math.max(ratio, worst))}:1, beyond what a document does (decompression bomb?)`,
    );
  }
}
