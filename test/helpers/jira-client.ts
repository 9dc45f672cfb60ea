import { startJiraEmulator, type RunningEmulator } from '../../emulators/jira-server/index.ts';
import type { EmulatorOptions } from '../../emulators/jira-server/emulator.ts';

export interface JiraResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export const basic = (user: string, password = user) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A small fetch wrapper for talking to the emulator as a Jira client would. */
export function jiraClient(baseUrl: string, defaultAuth: string | undefined = basic('admin')) {
  async function request<T = any>(
    method: string,
    path: string,
    options: { auth?: string | null; json?: unknown; headers?: Record<string, string>; body?: BodyInit } = {},
  ): Promise<JiraResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const auth = options.auth === undefined ? defaultAuth : options.auth;
    if (auth) headers.authorization = auth;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, headers: res.headers, body: (isJson && text ? JSON.parse(text) : text) as T, text };
  }
  return {
    get: <T = any>(path: string, o?: Parameters<typeof request>[2]) => request<T>('GET', path, o),
    post: <T = any>(path: string, json?: unknown, o?: Parameters<typeof request>[2]) => request<T>('POST', path, { ...o, json }),
    put: <T = any>(path: string, json?: unknown, o?: Parameters<typeof request>[2]) => request<T>('PUT', path, { ...o, json }),
    del: <T = any>(path: string, o?: Parameters<typeof request>[2]) => request<T>('DELETE', path, o),
    delete: <T = any>(path: string, o?: Parameters<typeof request>[2]) => request<T>('DELETE', path, o),
    request,
  };
}

export type JiraClient = ReturnType<typeof jiraClient>;

/** Starts an emulator for one test file. */
export async function withEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator & { jira: JiraClient; control: JiraClient }> {
  const running = await startJiraEmulator(options);
  const origin = new URL(running.baseUrl).origin;
  return { ...running, jira: jiraClient(running.baseUrl), control: jiraClient(`${origin}/__emulator`, undefined) };
}

export const JIRA_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/;
