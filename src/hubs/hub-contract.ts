import type { Readable } from 'node:stream';
import type { Expr, OrderKey } from '../ceql/ast.ts';
import type { Configuration, ElementContext, VendorMeta } from '../elements/element-module.ts';

/**
 * The contract between the hub layer (authentication, paging, headers, null filtering, raw,
 * errors) and an element that serves hub resources. The element knows its vendor; the hub layer
 * knows Open Connectors conventions. Neither knows the other's internals.
 */

/** The instance a hub call runs for: decrypted configuration plus what provisioning learned. */
export interface HubInstance {
  id: number;
  configuration: Configuration;
  vendorMeta: VendorMeta;
}

/** Paging as the element sees it: an offset into the vendor's result and a page size. */
export interface HubPaging {
  startAt: number;
  pageSize: number;
}

export interface HubFile {
  filename: string;
  mimeType: string;
  content: Buffer;
}

export interface HubRequest {
  method: string;
  /** Path parameters of the matched operation (`:id` → `params.id`). */
  params: Record<string, string>;
  /** Non-reserved query parameters, forwarded to the vendor where the element wants them (D38). */
  query: Record<string, string>;
  body: unknown;
  where: Expr | undefined;
  orderBy: OrderKey[] | undefined;
  /** `fields=a,b` (selection the vendor applies). */
  fields: string | undefined;
  paging: HubPaging;
  accept: string;
  file?: HubFile | undefined;
}

export type HubResult =
  | {
      kind: 'object';
      body: unknown;
      /** `body` exactly as the vendor's UTF-8 JSON, when the element passes it on unchanged. */
      json?: Buffer;
      /** Set by the hub layer when a transformation reshaped `body`: the vendor object, for `raw`. */
      vendor?: unknown;
    }
  | {
      kind: 'list';
      items: unknown[];
      /** The vendor's total where it gives one. */
      total?: number | undefined;
      /** Vendor offset of the next page, when more exist. */
      nextStartAt?: number | undefined;
      /** Set by the hub layer when a transformation reshaped `items`: the vendor objects, for `raw`. */
      vendorItems?: unknown[];
    }
  | { kind: 'empty' }
  | { kind: 'stream'; contentType: string; stream: Readable; filename?: string | undefined; length?: number | undefined };

/** Vendor data of one instance an element reuses across calls (the platform's cache port). */
export interface InstanceVendorData {
  /** The value of `key`: loaded with `load` when missing, kept `ttlMs` in this process. */
  get<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
  /** Drops `key` on every process (after the element changed it in the vendor). */
  invalidate(key: string): Promise<void>;
}

export interface HubContext extends ElementContext {
  instance: HubInstance;
  vendorData: InstanceVendorData;
  /**
   * A value the element derives from the instance's configuration, made once per context: the
   * platform keeps one context per cached instance, so this is once per configuration on the
   * hub's hot path. Never keep `http` (or anything made from it) here: each API call gets its own,
   * which counts and traces that call's vendor calls.
   */
  memo<T>(key: string, make: () => T): T;
}

export interface HubOperation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Resource path without the hub prefix, e.g. `incidents/:id/comments`. */
  path: string;
  /** Lists page; the hub layer then adds paging headers and tokens. */
  list?: boolean;
  /** Multipart upload with part `file`. */
  upload?: boolean;
  handle(request: HubRequest, context: HubContext): Promise<HubResult>;
}

/** One field of `GET /objects/{name}/metadata`. */
export interface ObjectField {
  vendorPath: string;
  vendorDisplayName: string;
  type: string;
  vendorNativeType: string;
  vendorRequired: boolean;
  vendorReadOnly: boolean;
  filterable: boolean;
  hidden: boolean;
  custom?: boolean;
}

/** What an element says of one of its resources beyond its operations. */
export interface ResourceTraits {
  /** The vendor's own name of the object, as transformations may give it (`vendorName`). */
  vendorName?: string;
  /** Events (polling or webhooks) are produced for it. */
  events?: boolean;
  /** The vendor has custom fields on it, which the element reads and writes by name. */
  customFields?: boolean;
}

/** What a bulk export asks the element for: one page after `cursor` (null: the first). */
export interface BulkExportRequest {
  where: Expr | undefined;
  /** As `check` accepted it. */
  orderBy: OrderKey[] | undefined;
  /**
   * The paths the caller selected in the vendor's shape (`select id, fields.summary`), which the
   * element may use to ask its vendor for less; undefined: all. The platform keeps only these
   * paths of each record, whatever the element returns.
   */
  fields: string[] | undefined;
  cursor: unknown;
  pageSize: number;
}

/**
 * One page of a bulk export: the records in a stable order, and where the next page starts
 * (null when there is none). The cursor is a position in that order, never a growing offset, so
 * a job resumed from it after a crash neither repeats nor skips a record.
 */
export interface BulkExportPage {
  items: unknown[];
  cursor: unknown;
  /** What the vendor says the query matches, when it says. */
  total?: number;
}

export interface BulkExporter {
  /**
   * Throws a 400 for a `where` or an `order by` the element cannot run, before any job exists.
   * An export reads by position, so it is ordered only in ways a position can be kept in.
   */
  check(where: Expr | undefined, orderBy: OrderKey[] | undefined): void;
  page(request: BulkExportRequest, context: HubContext): Promise<BulkExportPage>;
}

/** One row of a bulk import, as the element writes it. */
export interface BulkImportRow {
  /** The record in the vendor's shape (after the instance's transformation, when it has one). */
  record: Record<string, unknown>;
  /**
   * `metaData.identifierFieldName` and the record's value of it: when it names an existing
   * object, the record updates that object. Undefined without an identifier, or when the record
   * has no value of it (it creates).
   */
  identifier: { field: string; value: string | number } | undefined;
  /**
   * Unique to this row of this job. The element stores it with an object it creates, so that
   * `created` finds the object when a crash hid whether the create went through.
   */
  marker: string;
}

export interface BulkImporter {
  /** Throws a 400 for an identifier field the element cannot look objects up by, before any job exists. */
  checkIdentifier(field: string): void;
  /** Creates the record, or updates the existing object it identifies. */
  write(row: BulkImportRow, context: HubContext): Promise<{ id: string; created: boolean }>;
  /**
   * Of `markers`, those whose objects the vendor holds, created since `since` (ISO 8601), with
   * the objects' ids: the rows of an interrupted batch that must not be written twice.
   */
  created(markers: readonly string[], since: string, context: HubContext): Promise<Map<string, string>>;
}

export interface HubImplementation {
  hub: string;
  operations: HubOperation[];
  /** Bulk exports the element serves, by resource name (`POST /hubs/{hub}/bulk/query`). */
  bulkExport?: Readonly<Record<string, BulkExporter>>;
  /** Bulk imports the element serves, by resource name (`POST /hubs/{hub}/bulk/{objectName}`). */
  bulkImport?: Readonly<Record<string, BulkImporter>>;
  /** Traits of the resources the operations serve, by resource name. */
  resources: Readonly<Record<string, ResourceTraits>>;
  /**
   * `GET /objects/{name}/metadata`, for each object the element can describe from its vendor;
   * `GET /objects` lists exactly these.
   */
  objects: ReadonlyMap<string, (context: HubContext) => Promise<ObjectField[]>>;
}
