import {
  type FieldDef,
  type FieldType,
  META_MODULES,
  metaId,
  type MetaModule,
  moduleId,
  USERS,
} from './crm-catalogue.js';
import type { Module, ZohoCrmStore } from './crm-store.js';

/** The org's metadata has not changed since before the seeded records were made. */
export const META_TIME = Date.UTC(2026, 0, 5, 9, 30);
const ORG_ID = '60025737457';
const JSON_TYPE: Record<FieldType, string> = {
  text: 'string',
  textarea: 'string',
  email: 'string',
  phone: 'string',
  website: 'string',
  picklist: 'string',
  date: 'string',
  datetime: 'string',
  currency: 'double',
  double: 'double',
  integer: 'integer',
  boolean: 'boolean',
  lookup: 'jsonobject',
  ownerlookup: 'jsonobject',
};

export function renderModule(store: ZohoCrmStore, m: MetaModule) {
  const singular = m === 'Attachments' ? 'Attachment' : m.slice(0, -1);
  return {
    id: moduleId(m),
    api_name: m,
    module_name: m,
    singular_label: singular,
    plural_label: m,
    actual_singular_label: singular,
    actual_plural_label: m,
    api_supported: true,
    generated_type: 'default',
    creatable: true,
    editable: true,
    deletable: true,
    viewable: true,
    convertable: m === 'Leads',
    quick_create: true,
    status: m === 'Notes' || m === 'Attachments' ? 'system_hidden' : 'visible',
    visibility: 1,
    show_as_tab: m !== 'Notes' && m !== 'Attachments',
    sequence_number: META_MODULES.indexOf(m) + 2,
    global_search_supported: true,
    lookupable: true,
    modified_time: store.formatTime(META_TIME),
    modified_by: null,
    parent_module: {},
    arguments: [],
    profiles: [],
  };
}

export function renderField(store: ZohoCrmStore, module: MetaModule, f: FieldDef, mi: number, fi: number) {
  const mandatory = module !== 'Attachments' && store.mandatory[module as Module].includes(f.api);
  return {
    id: metaId(2, mi, fi),
    api_name: f.api,
    field_label: f.label,
    display_label: f.label,
    data_type: f.type,
    json_type: JSON_TYPE[f.type],
    system_mandatory: mandatory,
    custom_field: f.custom ?? false,
    created_source: f.custom ? 'custom' : 'default',
    read_only: f.readOnly ?? false,
    field_read_only: f.readOnly ?? false,
    visible: true,
    type: 'used',
    length: f.type === 'textarea' ? 32000 : 255,
    decimal_place: f.type === 'currency' ? 2 : null,
    lookup: f.lookup
      ? {
          display_label: f.label,
          api_name: f.api,
          id: metaId(2, mi, fi),
          module:
            f.lookup === 'se_module'
              ? { api_name: 'se_module', id: null }
              : { api_name: f.lookup, id: moduleId(f.lookup) },
        }
      : {},
    pick_list_values: (f.values ?? []).map((v, vi) => ({
      display_value: v,
      actual_value: v,
      reference_value: v,
      sequence_number: vi + 1,
      id: metaId(4, mi, fi * 100 + vi),
      type: 'used',
    })),
  };
}

export function renderRelatedList(module: MetaModule, rel: 'Notes' | 'Attachments', mi: number, ri: number) {
  return {
    id: metaId(3, mi, ri),
    sequence_number: String(ri),
    display_label: rel,
    api_name: rel,
    name: rel,
    module: { api_name: rel, id: moduleId(rel) },
    href: `${module}/{ENTITYID}/${rel}`,
    action: null,
    type: 'default',
    status: 'visible',
    visible: true,
    customize_sort: false,
    customize_fields: false,
    customize_display_label: false,
  };
}

export function renderUser(store: ZohoCrmStore, u: (typeof USERS)[number]) {
  return {
    id: u.id,
    first_name: u.first_name,
    last_name: u.last_name,
    full_name: `${u.first_name} ${u.last_name}`,
    email: u.email,
    role: { name: u.role, id: metaId(5, 0, USERS.indexOf(u) + 1) },
    profile: { name: u.profile, id: metaId(6, 0, USERS.indexOf(u) + 1) },
    status: 'active',
    confirm: true,
    zuid: String(70000001 + USERS.indexOf(u)),
    locale: 'en_US',
    time_zone: timeZone(store),
    date_format: 'MM/dd/yyyy',
    created_time: store.formatTime(META_TIME),
    Modified_Time: store.formatTime(META_TIME),
    type__s: 'Regular User',
  };
}

export function renderOrg(store: ZohoCrmStore) {
  return {
    id: ORG_ID,
    zgid: ORG_ID,
    company_name: 'crm-sync simulated org',
    domain_name: 'crmsyncsim',
    alias: null,
    primary_email: USERS[0]!.email,
    primary_zuid: '70000001',
    type: 'production',
    time_zone: timeZone(store),
    currency: 'US Dollar - USD',
    currency_symbol: '$',
    currency_locale: 'en_US',
    iso_code: 'USD',
    country_code: 'US',
    mc_status: false,
    gapps_enabled: false,
    translation_enabled: false,
    privacy_settings: false,
    hipaa_compliance_enabled: false,
    lite_users_enabled: false,
    max_per_page: 200,
    license_details: {
      paid: true,
      paid_type: 'enterprise',
      paid_expiry: null,
      trial_type: null,
      trial_expiry: null,
      users_license_purchased: USERS.length,
    },
  };
}

/** A time zone matching the org's offset; only whole-hour and India's offset have a name here. */
function timeZone(store: ZohoCrmStore): string {
  if (store.offsetMinutes === 330) return 'Asia/Kolkata';
  if (store.offsetMinutes % 60 !== 0) return 'Etc/UTC';
  const h = store.offsetMinutes / 60;
  // POSIX Etc zones have the sign inverted.
  return h === 0 ? 'Etc/UTC' : `Etc/GMT${h > 0 ? '-' : '+'}${Math.abs(h)}`;
}
