/** Zoho data centres (crm-apis.md 1.1). Canada's accounts host is zohocloud.ca, not zoho.ca. */
export const ZOHO_ACCOUNTS_SERVERS = {
  com: 'https://accounts.zoho.com',
  eu: 'https://accounts.zoho.eu',
  in: 'https://accounts.zoho.in',
  'com.au': 'https://accounts.zoho.com.au',
  jp: 'https://accounts.zoho.jp',
  'com.cn': 'https://accounts.zoho.com.cn',
  ca: 'https://accounts.zohocloud.ca',
  sa: 'https://accounts.zoho.sa',
} as const;

export type ZohoRegion = keyof typeof ZOHO_ACCOUNTS_SERVERS;

/** The API domain each data centre's token responses name; used only when a response lacks `api_domain`. */
export const ZOHO_API_DOMAINS: Record<ZohoRegion, string> = {
  com: 'https://www.zohoapis.com',
  eu: 'https://www.zohoapis.eu',
  in: 'https://www.zohoapis.in',
  'com.au': 'https://www.zohoapis.com.au',
  jp: 'https://www.zohoapis.jp',
  'com.cn': 'https://www.zohoapis.com.cn',
  ca: 'https://www.zohoapis.ca',
  sa: 'https://www.zohoapis.sa',
};
