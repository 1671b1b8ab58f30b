import type { EntityManager } from '@mikro-orm/postgresql';
import type { AggregationType } from '../db/entities/index.js';
import {
  exportColumns,
  type ExtractListFilter,
  ExtractQueryRepository,
} from '../db/repositories/extract-query.repository.js';
import type { ExtractDomain } from '../domain/extract-fields.js';
import { type ExportFormat, formatRows } from './export-format.js';
import { dealChartSvg } from './deal-chart.js';

/** The extract's tables as the API and the CLI read them: lists, rejects, aggregates, and streamed exports. */
export class ExtractService {
  constructor(private readonly em: () => EntityManager) {}

  list(domain: ExtractDomain, filter: ExtractListFilter, limit: number, cursor?: string) {
    return new ExtractQueryRepository(this.em()).list(domain, filter, limit, cursor);
  }

  rejects(filter: { connectionId?: string; domain?: ExtractDomain; code?: string }, limit: number, cursor?: string) {
    return new ExtractQueryRepository(this.em()).rejects(filter, limit, cursor);
  }

  aggregations(
    filter: { connectionId?: string; type: AggregationType; accountId?: string; from?: string; to?: string },
    limit: number,
    cursor?: string,
  ) {
    return new ExtractQueryRepository(this.em()).aggregations(filter, limit, cursor);
  }

  series(filter: { connectionId?: string; type: AggregationType; accountId?: string }) {
    return new ExtractQueryRepository(this.em()).series(filter);
  }

  /** The totals per period (of one account, or all) as an SVG chart. */
  async chart(filter: { connectionId?: string; type: AggregationType; accountId?: string }): Promise<string> {
    const points = await this.series(filter);
    const who = filter.accountId ? `account ${filter.accountId}` : 'all accounts';
    return dealChartSvg(points, {
      type: filter.type,
      title: `Deal totals, ${filter.type}, ${who}${filter.connectionId ? ` (${filter.connectionId})` : ''}`,
    });
  }

  count(domain: ExtractDomain, filter: ExtractListFilter): Promise<number> {
    return new ExtractQueryRepository(this.em()).count(domain, filter);
  }

  /** A domain's rows as text chunks of one format, read from Postgres a batch at a time. */
  export(
    domain: ExtractDomain,
    format: ExportFormat,
    opts: { connectionId?: string; bom?: boolean; onRows?: (n: number) => void },
  ): AsyncGenerator<string> {
    const repo = new ExtractQueryRepository(this.em());
    const batches = async function* () {
      for await (const rows of repo.exportBatches(domain, { connectionId: opts.connectionId })) {
        opts.onRows?.(rows.length);
        yield rows;
      }
    };
    return formatRows(exportColumns(domain), batches(), format, { bom: opts.bom });
  }
}
