/** Names of what `report` writes into a run or comparison directory (light, so `run` can check for them without loading sharp). */
export const REPORT_FILE = 'report.html';
export const FIGURES_DIR = 'figures';
