/**
 * The instructor's page of a resource. Before an exam is chosen: the upload. Afterwards, tabs:
 * the dashboard, the settings, access changes, and the package (replace it, take a test run).
 */
import { useState } from 'preact/hooks';
import { type ResourceInfo, packageOf } from '../api.js';
import { AccessChangesTab } from './instructor/access-changes-tab.js';
import { DashboardTab } from './instructor/dashboard-tab.js';
import { PackageForm, PackageSummary } from './instructor/package-parts.js';
import { SettingsTab } from './instructor/settings-tab.js';
import { type TabDefinition, Tabs } from './instructor/tabs.js';

export interface InstructorViewProps {
  info: ResourceInfo;
  busy: boolean;
  onReload: () => void;
  onTestRun: () => void;
}

type TabId = 'dashboard' | 'settings' | 'access' | 'package';

const TABS: ReadonlyArray<TabDefinition<TabId>> = [
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'settings', label: 'Settings' },
  { id: 'access', label: 'Access changes' },
  { id: 'package', label: 'Package' },
];

export function InstructorView({ info, busy, onReload, onTestRun }: InstructorViewProps) {
  const pkg = packageOf(info);
  // Right after the first upload the instructor sees the package they chose (and can try it);
  // on later visits the page opens on the dashboard.
  const [tab, setTab] = useState<TabId>(pkg === null ? 'package' : 'dashboard');
  if (pkg === null) {
    return (
      <section id="resource-setup" aria-labelledby="choose-heading">
        <h2 id="choose-heading">Choose an exam</h2>
        <p>
          No exam has been set up for this link yet. Upload the exam package here; students who open this link from the
          course then take the exam on this page.
        </p>
        <PackageForm replace={false} onUploaded={onReload} />
      </section>
    );
  }
  return (
    <Tabs label="Exam administration" tabs={TABS} selected={tab} onSelect={setTab}>
      {tab === 'dashboard' && <DashboardTab />}
      {tab === 'settings' && <SettingsTab />}
      {tab === 'access' && <AccessChangesTab />}
      {tab === 'package' && (
        <>
          <section aria-labelledby="package-heading">
            <h2 id="package-heading">Exam package</h2>
            <PackageSummary pkg={pkg} />
            <p>
              <button type="button" data-testid="test-run" disabled={busy} onClick={onTestRun}>
                Test run
              </button>{' '}
              <span class="hint">Try the exam as a student would; nothing is saved.</span>
            </p>
          </section>
          <section aria-labelledby="replace-heading">
            <h2 id="replace-heading">Replace exam package</h2>
            <PackageForm replace onUploaded={onReload} />
          </section>
        </>
      )}
    </Tabs>
  );
}
