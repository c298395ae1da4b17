import { defineTool } from '@promethean-os/pantheon-core';
import { z } from 'zod';

/** One invoice of the sample shop. */
export interface Invoice {
  id: string;
  amountEur: number;
  status: 'paid' | 'charged twice' | 'open';
}

/** Sample data: each customer's invoices (no database needed for the example). */
const INVOICES: Readonly<Record<string, readonly Invoice[]>> = {
  alice: [
    { id: 'INV-1001', amountEur: 59, status: 'charged twice' },
    { id: 'INV-0930', amountEur: 12, status: 'paid' },
  ],
  bob: [{ id: 'INV-2002', amountEur: 140, status: 'open' }],
};

/** The billing specialist's tool: a customer's invoices, typed from its zod schema. */
export const lookupInvoices = defineTool({
  name: 'lookup-invoices',
  description: 'The invoices of a customer, newest first',
  parameters: z.object({ customerId: z.string().min(1) }),
  async execute({ customerId }) {
    return { customerId, invoices: INVOICES[customerId] ?? [] };
  },
});
