import { useCallback, useEffect, useState } from 'react';
import { useTitle } from '../components/page-title.ts';
import { When } from '../components/when.tsx';
import { Loading } from '../components/loading.tsx';
import { useAction } from '../components/use-action.ts';
import { ActionForm, ActionMessages } from '../components/action-messages.tsx';
import { api, type Instance, type ScheduledJob } from '../api.ts';
import { refreshDelay } from './job-refresh.ts';
import { ListTable } from '../components/list-table.tsx';
import { DeleteButton } from '../components/delete-button.tsx';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];
/** A fire's outcome in a few words: its HTTP status, or why no call was made. */
function Outcome({ job }: { job: ScheduledJob }) {
  const last = job.lastFire;
  if (!last) return <span className="muted">not yet</span>;
  const status = last.finishedDate === null ? 'running' : last.status === null ? 'no call' : `HTTP ${last.status}`;
  const ok = last.status !== null && last.status < 400;
  return (
    <>
      <span className={`badge ${last.finishedDate === null ? 'disabled' : ok ? 'valid' : 'invalid'}`}>{status}</span> <When iso={last.date} />
      {last.error && <div className="muted">{last.error}</div>}
    </>
  );
}

/**
 * Scheduled jobs (`#/jobs`): calls of the API made on a Quartz cron trigger, as the signed-in user
 * and with the chosen instance's token. Lists each job's next fire and its last fire's outcome,
 * makes new jobs and deletes them.
 */
export function JobsPage() {
  useTitle('Scheduled jobs');
  const [jobs, setJobs] = useState<ScheduledJob[]>();
  const [instances, setInstances] = useState<Instance[]>([]);
  const [name, setName] = useState('');
  const [method, setMethod] = useState<Method>('GET');
  const [uri, setUri] = useState('/elements/api-v2/hubs/helpdesk/incidents');
  const [instanceId, setInstanceId] = useState('');
  const [cron, setCron] = useState('0 0 * * * ?');
  const [body, setBody] = useState('');

  const { error, notice, act, load } = useAction();
  const reload = useCallback(
    () =>
      load(async () => {
        setJobs((await api<ScheduledJob[]>('GET', '/jobs?pageSize=200')).body);
      }),
    [load],
  );
  useEffect(() => {
    void reload();
    void load(async () => {
      const list = (await api<Instance[]>('GET', '/instances?pageSize=200')).body;
      setInstances(list);
      setInstanceId((current) => current || String(list[0]?.id ?? ''));
    });
  }, [reload, load]);
  useEffect(() => {
    const delay = jobs && refreshDelay(jobs, Date.now());
    if (delay === undefined) return;
    const timer = setTimeout(() => void reload(), delay);
    return () => clearTimeout(timer);
  }, [jobs, reload]);

  if (!jobs) return <Loading error={error} />;

  const create = () =>
    act(async () => {
      let parsed: unknown;
      if (method !== 'GET' && method !== 'DELETE' && body.trim()) {
        try {
          parsed = JSON.parse(body);
        } catch {
          throw new Error('The body is not JSON');
        }
      }
      const token = instances.find((i) => String(i.id) === instanceId)?.token;
      const made = await api<ScheduledJob>('POST', '/jobs', { name, method, uri, trigger: { cron }, ...(parsed !== undefined && { body: parsed }) }, token);
      return `Job ${made.body.name} made: it first fires at ${made.body.nextFireDate}.`;
    }, reload);

  return (
    <section>
      <h1>Scheduled jobs</h1>
      <p className="muted">
        A job calls the API on a Quartz cron trigger, in UTC (seconds, minutes, hours, day of month, month, day of week from 1 for Sunday, and an optional
        year), as you and with the instance's token.
      </p>
      <ActionMessages error={error} notice={notice} />
      <div className="bulk-forms">
        <ActionForm onSubmit={create}>
          <h2>New job</h2>
          <label htmlFor="job-name">Name</label>
          <input id="job-name" value={name} onChange={(e) => setName(e.target.value)} required />
          <label htmlFor="job-method">Method</label>
          <select id="job-method" value={method} onChange={(e) => setMethod(e.target.value as Method)}>
            {METHODS.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
          <label htmlFor="job-uri">Path</label>
          <input id="job-uri" value={uri} onChange={(e) => setUri(e.target.value)} required />
          <label htmlFor="job-instance">Instance (its token goes with each call)</label>
          <select id="job-instance" value={instanceId} onChange={(e) => setInstanceId(e.target.value)}>
            <option value="">None: a platform call</option>
            {instances.map((i) => (
              <option key={i.id} value={String(i.id)}>
                {i.name}
              </option>
            ))}
          </select>
          <label htmlFor="job-cron">Cron (Quartz, UTC)</label>
          <input id="job-cron" className="code" value={cron} onChange={(e) => setCron(e.target.value)} required />
          {method !== 'GET' && method !== 'DELETE' && (
            <>
              <label htmlFor="job-body">Body (JSON)</label>
              <textarea id="job-body" className="code" spellCheck={false} rows={6} value={body} onChange={(e) => setBody(e.target.value)} />
            </>
          )}
          <button type="submit" className="primary">
            Make job
          </button>
        </ActionForm>
      </div>
      <h2>Jobs</h2>
      <ListTable
        rows={jobs}
        rowKey={(job) => job.id}
        empty="No scheduled jobs yet."
        columns={[
          { header: 'Job', cell: (job) => job.name },
          {
            header: 'Call',
            className: 'wrap',
            cell: (job) => (
              <code>
                {job.method} {job.uri}
              </code>
            ),
          },
          { header: 'Cron', cell: (job) => <code>{job.trigger.cron}</code> },
          { header: 'Next fire', cell: (job) => <When iso={job.nextFireDate} /> },
          { header: 'Last fire', cell: (job) => <Outcome job={job} /> },
          {
            header: 'Actions',
            cell: (job) => (
              <DeleteButton
                label={`Delete job ${job.name}`}
                confirmation={`Delete the job ${job.name}? It stops firing.`}
                remove={() =>
                  act(async () => {
                    await api('DELETE', `/jobs/${job.id}`);
                    return `Job ${job.name} deleted.`;
                  }, reload)
                }
              />
            ),
          },
        ]}
      />
    </section>
  );
}
