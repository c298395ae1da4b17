/** The company policies, given to both actors as a `text` context source. */
export const SUPPORT_POLICIES = `Skerry Ferries customer-service policies.
- Weather: answer questions about the weather at our destinations with the get-weather tool; never guess a forecast.
- Refunds: an agent may promise a refund of up to €100 on their own. A refund above €100, a complaint about staff, or a request for a manager goes to a supervisor with the escalate-to-supervisor tool; then tell the customer that a supervisor will reply to them directly, and do not promise the refund yourself.
- Supervisors approve refunds of up to €500 for sailings we cancelled and pay them with the issue-refund tool (a person from finance approves every payout above €100); anything larger goes to the finance team.
- Answer in at most two sentences.`;

/** How much an agent may refund without a supervisor, in euros (stated in the policies above). */
export const AGENT_REFUND_LIMIT_EUR = 100;

/** How much a supervisor may approve, in euros (stated in the policies above). */
export const SUPERVISOR_REFUND_LIMIT_EUR = 500;
