import { Type, type Static } from 'typebox';

export const FAILURE_POLICY = 'notification.webhook.failure.policy';

const FailurePolicy = Type.Union([Type.Literal('retry'), Type.Literal('queue')], {
  description:
    '`retry` (the default): a failed event or platform notification is sent again, up to 9 attempts with growing waits. `queue`: it is not retried; it waits as `queued` until redelivered (`POST /instances/events/{eventId}/redeliver`, `PUT /notifications/subscriptions/deliveries`)',
});

/** `POST/PATCH /accounts/{id}/settings`: the settings named are set, the others kept. */
export const AccountSettingsBody = Type.Object(
  { [FAILURE_POLICY]: Type.Optional(FailurePolicy) },
  { additionalProperties: false, title: 'AccountSettingsBody' },
);
export type AccountSettingsBody = Static<typeof AccountSettingsBody>;

export const AccountSettingsJson = Type.Object({ [FAILURE_POLICY]: FailurePolicy }, { title: 'AccountSettings' });
export type AccountSettings = Static<typeof AccountSettingsJson>;
export type FailurePolicy = AccountSettings[typeof FAILURE_POLICY];

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = Object.freeze({ [FAILURE_POLICY]: 'retry' });

/** Stored settings (JSON text), over the defaults. */
export function storedSettings(text: string | null): AccountSettings {
  return text === null ? DEFAULT_ACCOUNT_SETTINGS : { ...DEFAULT_ACCOUNT_SETTINGS, ...(JSON.parse(text) as Partial<AccountSettings>) };
}
