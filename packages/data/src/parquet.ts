import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { assertFileExists } from './jsonl';
import { DatasetError } from './errors';

/**
 * Reads every row of a parquet file as plain objects (hyparquet; uncompressed and snappy pages are
 * supported, other codecs give a DatasetError). INT64 columns come back as `bigint`.
 */
export async function readParquetRows(path: string, opts: { columns?: string[]; rowEnd?: number } = {}): Promise<Record<string, unknown>[]> {
  assertFileExists(path);
  try {
    const file = await asyncBufferFromFile(path);
    const rows = await parquetReadObjects({
      file,
      ...(opts.columns ? { columns: opts.columns } : {}),
      ...(opts.rowEnd !== undefined ? { rowEnd: opts.rowEnd } : {}),
    });
    return rows as Record<string, unknown>[];
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(`cannot read parquet: ${(e as Error).message}`, { file: path, cause: e });
  }
}
