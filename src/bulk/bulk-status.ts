import { Type } from 'typebox';
import type { BulkJobRow } from './bulk-repository.ts';

export const BulkStatusJson = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union([Type.Literal('export'), Type.Literal('import')], {
      description: 'POST …/bulk/query starts an export, POST …/bulk/{objectName} an import',
    }),
    status: Type.String({ description: 'CREATED, RUNNING, COMPLETED, FAILED or CANCELLED' }),
    objectName: Type.String(),
    query: Type.String({ description: "An export's CEQL query; an import's file name" }),
    recordsCount: Type.Integer({ description: 'Records exported, or rows imported' }),
    recordsFailedCount: Type.Integer({ description: "An import's rows the vendor refused (GET …/errors)" }),
    totalRecordsEstimate: Type.Optional(Type.Integer({ description: "What the vendor said the query matches; an import's row count" })),
    createdDate: Type.String(),
    updatedDate: Type.String(),
    completedDate: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    identifierFieldName: Type.Optional(Type.String({ description: "An import's identifier: rows whose value of it exists update" })),
  },
  { title: 'BulkJobStatus' },
);

/** A job's status, as `GET …/bulk/{id}/status` answers and a job's callback is told. */
export const statusJson = (job: BulkJobRow) => ({
  id: job.id,
  kind: job.kind,
  status: job.status,
  objectName: job.object_name,
  query: job.query,
  recordsCount: job.records_count,
  recordsFailedCount: job.records_failed_count,
  ...(job.total_estimate !== null && { totalRecordsEstimate: job.total_estimate }),
  createdDate: job.created_at,
  updatedDate: job.updated_at,
  ...(job.finished_at !== null && { completedDate: job.finished_at }),
  ...(job.message !== null && { message: job.message }),
  ...(job.identifier_field !== null && { identifierFieldName: job.identifier_field }),
});

/** A row of an import that the vendor refused (`GET …/bulk/{id}/errors`). */
export const BulkErrorJson = Type.Object(
  {
    row: Type.Integer({ description: "The record's position in the file, from 1" }),
    record: Type.Unknown({ description: 'The record as uploaded' }),
    message: Type.String(),
    providerMessage: Type.Optional(Type.String({ description: 'What the vendor said' })),
  },
  { title: 'BulkImportError' },
);
