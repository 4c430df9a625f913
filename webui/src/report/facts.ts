// The monthly report's facts are a view model the daemon hands over (firmware/src/report/reportFacts.ts).
export type { MonthlyReportFacts, ReportDevice, ReportIncident } from '../../../firmware/src/report/reportFacts.js';
