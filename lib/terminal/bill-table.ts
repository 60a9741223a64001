import { Bill, BillLine } from '../app/bill';
import { textTable } from './text-table';

/** The bill as a table. */
export function formatBill(bill: Bill): string {
  if (bill.functions.length === 0) return `No metered invocations from ${bill.from} to ${bill.to}.`;
  const cells = (line: BillLine) => [
    line.name,
    String(line.invocations),
    String(line.coldStarts),
    line.billedDurationMillis.toFixed(0),
    line.gbSeconds.toFixed(4),
    `$${line.costUsd.toFixed(8)}`,
  ];
  const header = ['function', 'invocations', 'cold starts', 'billed ms', 'GB-s', 'cost (USD)'];
  return `Bill from ${bill.from} to ${bill.to} (before free tiers)\n\n${textTable(header, bill.functions.map(cells), cells(bill.total))}`;
}
