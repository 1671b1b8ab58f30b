/**
 * What each provider can do, by capability name: the one table the API, the CLI and the activities consult before
 * they start or run a sync. The worker's registration (worker/providers.ts) must build exactly these capabilities
 * for each provider; the compiler holds the two together.
 */
export const PROVIDERS = ['hubspot', 'zoho-crm', 'zoho-workdrive', 'dtools-si'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const CAPABILITY_NAMES = [
  'check',
  'dealFiles',
  'leads',
  'deals',
  'projects',
  'folders',
  'records',
  'extract',
] as const;
export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

export const PROVIDER_CAPABILITIES = {
  hubspot: ['check', 'dealFiles', 'extract'],
  'zoho-crm': ['check', 'dealFiles', 'leads', 'deals', 'records', 'extract'],
  'zoho-workdrive': ['check', 'folders'],
  'dtools-si': ['check', 'projects'],
} as const satisfies Record<ProviderName, readonly CapabilityName[]>;

export type CapabilitiesOf<P extends ProviderName> = (typeof PROVIDER_CAPABILITIES)[P][number];

/** How an error names what a capability is for: "connection x is hubspot; the lead sync works with zoho-crm only". */
export const CAPABILITY_PURPOSE: Record<CapabilityName, string> = {
  check: 'the connection check',
  dealFiles: 'the file sync',
  leads: 'the lead sync',
  deals: 'deal-to-project (the CRM side)',
  projects: 'deal-to-project (the SI side)',
  folders: 'the transfer into drive folders',
  records: 'the transfer of record attachments (the CRM side)',
  extract: 'the CRM extract (accounts, contacts, deals)',
};

export function hasCapability(provider: string, capability: CapabilityName): boolean {
  return ((PROVIDER_CAPABILITIES as Record<string, readonly CapabilityName[]>)[provider] ?? []).includes(capability);
}

export function providersWith(capability: CapabilityName): ProviderName[] {
  return PROVIDERS.filter((p) => hasCapability(p, capability));
}

/** The providers that offer a capability, as a type: `ProvidersWith<'dealFiles'>` is `'hubspot' | 'zoho-crm'`. */
export type ProvidersWith<C extends CapabilityName> = {
  [P in ProviderName]: C extends CapabilitiesOf<P> ? P : never;
}[ProviderName];

/** Providers whose deals' files the file sync reads: the values of its `provider` filters (API, CLI, workflows). */
export type FileProvider = ProvidersWith<'dealFiles'>;
export const FILE_PROVIDERS = providersWith('dealFiles') as [FileProvider, ...FileProvider[]];
