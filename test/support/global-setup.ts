import { loadInfrastructure } from './infrastructure';

// Jest gives each test file a copy of process.env, so a native library (SoftHSM reads
// SOFTHSM2_CONF in C_Initialize) would never see a value set inside a test. Set it here, in
// the parent process, before the workers are forked.
// eslint-disable-next-line no-restricted-syntax -- jest loads globalSetup as the module's default export
export default function globalSetup(): void {
  const infra = loadInfrastructure();
  process.env.SOFTHSM2_CONF = infra.hsm.confPath;
  process.env.VANTHU_INFRASTRUCTURE ??= `${infra.dataDir}/infrastructure.json`;
}
