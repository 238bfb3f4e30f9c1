export { main } from './main.ts';
export { seedDemo, seedDemoIfEmpty, DEMO_CONTACT_COUNT, WHITE_PAPER_URL, type DemoWorkspace } from './demo.ts';
export { importContactsFile, columnTargets, inferType, attributeName, type ImportOptions, type ImportSummary } from './importContacts.ts';
