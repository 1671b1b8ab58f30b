import { z } from 'zod';
import { Text } from './input-rules.js';
import type { LeadField } from './lead-fields.js';

const optional = (max: number) => Text.trim().max(max).nullable();

/**
 * What each lead field accepts wherever a value is set: POST and PATCH /leads, and a conflict resolved with a value
 * of its own (which is pushed to Zoho like any edit). Zoho requires Last_Name; the lengths are our columns'.
 */
export const LEAD_FIELD_RULES = {
  firstName: optional(255),
  lastName: Text.trim().min(1, 'last name is required').max(255),
  email: z.email('must be a valid email address').max(320),
  phone: optional(64),
  company: optional(255),
  status: optional(128),
  source: optional(128),
} satisfies Record<LeadField, z.ZodType>;
