import { useCallback, useEffect, useState } from 'react';
import { useTitle } from '../components/page-title.ts';
import { When } from '../components/when.tsx';
import { Loading } from '../components/loading.tsx';
import { useAction } from '../components/use-action.ts';
import { ActionForm, ActionMessages } from '../components/action-messages.tsx';
import { ListTable } from '../components/list-table.tsx';
import { api, apiRaw, type BulkError, type BulkJob, type ElementMetadata, type Instance, instanceLoadError } from '../api.ts';

const ENDED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
/** How often the job list is read again while a job runs. */
const REFRESH_MS = 1500;

/** Saves a completed export's records in the format asked for, fetched with the instance's token. */
async function download(job: BulkJob, base: string, token: string, accept: 'application/x-ndjson' | 'text/csv') {
  const res = await apiRaw('GET', `${base}/${job.id}/${encodeURIComponent(job.objectName)}`, { accept }, token);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `${job.objectName}-${job.id}.${accept === 'text/csv' ? 'csv' : 'ndjson'}`;
  a.click();
  // The browser reads the object URL after this turn: it is released once the download has begun.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function Progress({ job }: { job: BulkJob }) {
  const done = job.recordsCount + job.recordsFailedCount;
  const total = job.totalRecordsEstimate;
  const label = total === undefined ? `${done} records` : `${done} of ${total}`;
  return (
    <span className="progress">
      <progress value={ENDED.has(job.status) ? 1 : done} max={ENDED.has(job.status) ? 1 : total || undefined} aria-label={`Progress of job ${job.id}`} />
      <span>{label}</span>
    </span>
  );
}

/** The formats an export's result downloads in. */
const DOWNLOADS = [
  { label: 'NDJSON', accept: 'application/x-ndjson' },
  { label: 'CSV', accept: 'text/csv' },
] as const;

/**
 * Bulk jobs of one instance (`#/bulk/{id}`): start an export with a CEQL query or an import from a
 * file, watch each job's progress, cancel it, download an export's records (NDJSON or CSV) and read
 * an import's refused rows. The objects offered are those the element's metadata says it exports
 * or imports.
 */
export function BulkPage({ instanceId }: { instanceId: string }) {
  useTitle(`Bulk jobs of instance ${instanceId}`);
  const [instance, setInstance] = useState<Instance>();
  const [element, setElement] = useState<ElementMetadata>();
  const [jobs, setJobs] = useState<BulkJob[]>([]);
  const [query, setQuery] = useState('');
  const [file, setFile] = useState<File>();
  const [importObject, setImportObject] = useState('');
  const [identifier, setIdentifier] = useState('');
  const [recordsPath, setRecordsPath] = useState('');
  const [errorsOf, setErrorsOf] = useState<{ job: BulkJob; rows: BulkError[] }>();
  const { error, setError, notice, act, load } = useAction(instance?.element.name);

  useEffect(() => {
    let current = true;
    setInstance(undefined);
    api<Instance>('GET', `/instances/${instanceId}`).then(
      async (r) => {
        if (!current) return;
        setInstance(r.body);
        const meta = await api<ElementMetadata>('GET', `/elements/${r.body.element.key}/metadata?expand=true`);
        if (!current) return;
        setElement(meta.body);
        // The first object the element exports, and the first it imports, are chosen to begin with.
        const first = (kind: 'upload' | 'download') => meta.body.resources?.find((x) => x.bulk[kind].supported)?.canonicalName;
        setQuery(first('download') ? `select * from ${first('download')}` : '');
        setImportObject(first('upload') ?? '');
      },
      (e) => current && setError(instanceLoadError(e, instanceId)),
    );
    return () => {
      current = false;
    };
  }, [instanceId, setError]);

  const hub = element?.hub ?? 'helpdesk';
  const base = `/hubs/${hub}/bulk`;
  const exportable = element?.resources?.filter((r) => r.bulk.download.supported).map((r) => r.canonicalName) ?? [];
  const importable = element?.resources?.filter((r) => r.bulk.upload.supported).map((r) => r.canonicalName) ?? [];

  const reload = useCallback(
    () =>
      load(async () => {
        if (!instance) return;
        setJobs((await api<BulkJob[]>('GET', `${base}/jobs?pageSize=50`, undefined, instance.token)).body);
      }),
    [instance, base, load],
  );
  useEffect(() => void reload(), [reload]);
  const running = jobs.some((j) => !ENDED.has(j.status));
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [running, reload]);

  if (!instance) return <Loading error={error} />;

  const startExport = () =>
    act(async () => {
      const r = await api<{ id: string }>('POST', `${base}/query?q=${encodeURIComponent(query)}`, undefined, instance.token);
      return `Export ${r.body.id} started.`;
    }, reload);
  const startImport = () =>
    act(async () => {
      if (!file) throw new Error('Choose a file first');
      const form = new FormData();
      const metaData = { ...(identifier.trim() && { identifierFieldName: identifier.trim() }), ...(recordsPath.trim() && { path: recordsPath.trim() }) };
      if (Object.keys(metaData).length) form.append('metaData', JSON.stringify(metaData));
      form.append('file', file, file.name);
      const r = await api<{ id: string }>('POST', `${base}/${encodeURIComponent(importObject)}`, form, instance.token);
      return `Import ${r.body.id} of ${file.name} started.`;
    }, reload);
  const showErrors = (job: BulkJob) =>
    act(async () => {
      const r = await api<BulkError[]>('GET', `${base}/${job.id}/errors?pageSize=100`, undefined, instance.token);
      setErrorsOf({ job, rows: r.body });
      return `${r.body.length} refused row${r.body.length === 1 ? '' : 's'} of job ${job.id} shown below${r.headers.get('Elements-Next-Page-Token') ? ' (the first 100)' : ''}.`;
    }, reload);

  return (
    <section>
      <h1>Bulk jobs of {instance.name}</h1>
      <p>
        <a href={`#/instances/${instance.id}`}>Back to the instance</a>
      </p>
      <ActionMessages error={error} notice={notice} />
      <div className="bulk-forms">
        <ActionForm onSubmit={startExport}>
          <h2>Export</h2>
          <label htmlFor="bulk-query">Query (CEQL)</label>
          <input id="bulk-query" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="select * from incidents where …" />
          <button type="submit" disabled={!exportable.length}>
            Start export
          </button>
        </ActionForm>
        <ActionForm onSubmit={startImport}>
          <h2>Import</h2>
          <label htmlFor="bulk-object">Object</label>
          <select id="bulk-object" value={importObject} onChange={(e) => setImportObject(e.target.value)}>
            {importable.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
          <label htmlFor="bulk-file">File (CSV, NDJSON or JSON: an array, or an object with a records path)</label>
          <input id="bulk-file" type="file" accept=".csv,.json,.ndjson,.jsonl" onChange={(e) => setFile(e.target.files?.[0])} />
          <label htmlFor="bulk-identifier">Identifier field (optional: rows that name an existing record update it)</label>
          <input id="bulk-identifier" value={identifier} onChange={(e) => setIdentifier(e.target.value)} placeholder="key" />
          <label htmlFor="bulk-path">Records path (optional, JSON file: the member that holds the records array)</label>
          <input id="bulk-path" value={recordsPath} onChange={(e) => setRecordsPath(e.target.value)} placeholder="issues" />
          <button type="submit" disabled={!importable.length || !file}>
            Upload and import
          </button>
        </ActionForm>
      </div>
      <h2>Jobs</h2>
      <ListTable
        rows={jobs}
        rowKey={(job) => job.id}
        empty="No bulk jobs yet."
        columns={[
          {
            header: 'Job',
            cell: (job) => (
              <>
                {job.kind} {job.id.slice(-6)}
              </>
            ),
          },
          { header: 'Query or file', cell: (job) => job.query, className: 'wrap' },
          {
            header: 'Status',
            cell: (job) => (
              <>
                <span className={`badge ${job.status === 'COMPLETED' ? 'valid' : job.status === 'FAILED' ? 'invalid' : 'disabled'}`}>{job.status}</span>
                {job.message && <div className="muted">{job.message}</div>}
              </>
            ),
          },
          { header: 'Progress', cell: (job) => <Progress job={job} /> },
          { header: 'Refused', cell: (job) => job.recordsFailedCount },
          { header: 'Started', cell: (job) => <When iso={job.createdDate} /> },
          {
            header: 'Actions',
            cell: (job) => (
              // A flex box of its own: a cell that is one stops being a table cell and falls out of line with its row.
              <div className="actions">
                {!ENDED.has(job.status) && (
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Cancel job ${job.id}`}
                    onClick={() =>
                      act(async () => {
                        await api('PUT', `${base}/${job.id}/cancel`, undefined, instance.token);
                        return `Job ${job.id} cancelled.`;
                      }, reload)
                    }
                  >
                    Cancel
                  </button>
                )}
                {job.kind === 'export' &&
                  job.status === 'COMPLETED' &&
                  DOWNLOADS.map(({ label, accept }) => (
                    <button
                      key={label}
                      type="button"
                      className="secondary"
                      aria-label={`Download ${label} of job ${job.id}`}
                      onClick={() =>
                        act(async () => {
                          await download(job, base, instance.token, accept);
                          return 'Download started.';
                        }, reload)
                      }
                    >
                      Download {label}
                    </button>
                  ))}
                {job.kind === 'import' && job.recordsFailedCount > 0 && (
                  <button type="button" className="secondary" aria-label={`Refused rows of job ${job.id}`} onClick={() => void showErrors(job)}>
                    Refused rows
                  </button>
                )}
              </div>
            ),
          },
        ]}
      />
      {errorsOf && (
        <>
          <h2>Refused rows of job {errorsOf.job.id.slice(-6)}</h2>
          <ListTable
            rows={errorsOf.rows}
            rowKey={(row) => row.row}
            empty="No refused rows."
            columns={[
              { header: 'Row', cell: (row) => row.row },
              {
                header: 'Message',
                className: 'wrap',
                cell: (row) => (
                  <>
                    {row.message}
                    {row.providerMessage && <div className="muted">{`${instance.element.name} said: ${row.providerMessage}`}</div>}
                  </>
                ),
              },
              { header: 'Record', className: 'wrap', cell: (row) => <code>{JSON.stringify(row.record)}</code> },
            ]}
          />
        </>
      )}
    </section>
  );
}
