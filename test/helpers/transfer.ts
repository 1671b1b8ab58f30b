import { expect } from 'vitest';
import { WorkdriveTransferJobSchema, type WorkdriveTransferJob } from '../../config/jobs.js';
import { simulatorDefaults } from '../../simulators/config.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { TRANSFER_NO_FOLDER } from '../../simulators/zoho/crm-seed-transfer.js';
import { type ConnectionConfig } from '../../config/connections.js';
import { uniqueId, workdriveConnection, zohoBConnection, zohoConnection } from './connections.js';

export interface WdNode {
  id: string;
  name: string;
  kind: string;
  parentId: string;
  size: number;
  modifiedAt: number;
  trashed: boolean;
}

/** WorkDrive's items as a person sees them in its UI (the simulator's admin view), trash left out. */
export const wdNodes = async (sims: RunningSimulators): Promise<WdNode[]> =>
  ((await (await fetch(`${sims.urls.workdrive}/__admin/files`)).json()) as { files: WdNode[] }).files.filter(
    (f) => !f.trashed,
  );

/** Org A's seeded transfer contacts (the ones with the checkbox field). */
export const transferContacts = (sims: RunningSimulators) =>
  [...sims.zoho.store.records.get('Contacts')!.values()].filter(
    (c) => typeof (c as Record<string, unknown>).Transfer_Complete === 'boolean',
  ) as Array<Record<string, unknown> & { id: string }>;

/** The three connections (org A CRM, org B CRM, org B WorkDrive) and a transfer job joining them. */
export function transferJob(sims: RunningSimulators): { connections: ConnectionConfig[]; job: WorkdriveTransferJob } {
  const connections = [zohoConnection(sims), zohoBConnection(sims), workdriveConnection(sims)];
  const job = WorkdriveTransferJobSchema.parse({
    id: uniqueId('wd-transfer'),
    kind: 'workdrive-transfer',
    source: connections[0]!.id,
    destinationCrm: connections[1]!.id,
    workdrive: connections[2]!.id,
    teamFolderId: simulatorDefaults().SIM_ZOHO_WORKDRIVE_TEAM_FOLDER_ID,
  });
  return { connections, job };
}

/** `report_20261202_101500_2.pdf` → `report.pdf`: the attachment's own name under a clash stamp. */
export const unstamped = (name: string) => name.replace(/_\d{8}_\d{6}(_\d+)?(?=\.[^.]+$|$)/, '');

/**
 * The end state of a clean transfer of the default seed: each contact's attachments once in the most recent folder
 * of its name (none elsewhere, none for the contact without a folder), org B's record holding the folder, and the
 * checkbox ticked exactly where a file went up. `except`: attachments expected to fail, by attachment id.
 */
export async function expectSeedTransferred(
  sims: RunningSimulators,
  seeded: Set<string>,
  except: Set<string> = new Set(),
): Promise<void> {
  const nodes = await wdNodes(sims);
  const folders = nodes.filter((n) => n.kind === 'folder');
  const contactsB = [...sims.zohoB.store.records.get('Contacts')!.values()] as Array<Record<string, unknown>>;
  for (const contact of transferContacts(sims)) {
    const name = String(contact.Name);
    const files = sims.zoho.store.attachmentsOf('Contacts', contact.id).filter((a) => !except.has(a.id));
    const candidates = folders
      .filter((f) => f.name.toLowerCase() === name.toLowerCase())
      .sort((x, y) => y.modifiedAt - x.modifiedAt);
    if (name === TRANSFER_NO_FOLDER) {
      expect(candidates).toEqual([]);
      expect(contact.Transfer_Complete).toBe(false);
      continue;
    }
    const folder = candidates[0]!;
    const added = nodes.filter((n) => n.parentId === folder.id && n.kind === 'file' && !seeded.has(n.id));
    expect(added.map((n) => [unstamped(n.name), n.size]).sort(), name).toEqual(
      files.map((f) => [f.fileName, f.size]).sort(),
    );
    for (const other of candidates.slice(1))
      expect(nodes.filter((n) => n.parentId === other.id && !seeded.has(n.id))).toEqual([]);
    expect(contact.Transfer_Complete, name).toBe(files.length > 0);
    const b = contactsB.find((c) => c.Name === name)!;
    expect(b).toMatchObject({ WorkDrive_Folder_ID: folder.id, Record_Updated_From: contact.id });
    expect(String(b.WorkDrive_URL)).toContain(folder.id);
  }
}
