// Child process of the benchmark: signs one large PDF with the SoftHSM seal at B-B, reading the
// input from disk in windows and writing the output by copying the input and appending the
// update, then prints its peak resident memory. Run alone so nothing else inflates the peak.
import fs from 'node:fs';
import { PdfReader } from '@vanthu/pdf';
import { HsmConnection, readPin } from '../../services/signing/src/hsm/hsm-connection';
import { signPdf } from '../../services/signing/src/pades/pades-engine';
import { hsmSigner } from '../../services/signing/src/pades/signer';
import { loadInfrastructure } from '../../test/support/infrastructure';
import { pemToDers, toCert } from '../../services/signing/src/x509/certificate';

async function main(): Promise<void> {
  const [input, output] = process.argv.slice(2) as [string, string];
  const infra = loadInfrastructure();
  const seal = infra.hsm.seals[0] as { keyIdHex: string; certPath: string };
  const hsm = new HsmConnection({
    modulePath: infra.hsm.modulePath,
    tokenLabel: infra.hsm.tokenLabel,
    pin: readPin(infra.hsm.pinFile),
  });
  hsm.open();
  const pool = pemToDers(fs.readFileSync(infra.pki.chainPem, 'utf8')).map(toCert);
  const signer = hsmSigner(
    hsm,
    seal.keyIdHex,
    toCert(pemToDers(fs.readFileSync(seal.certPath, 'utf8'))[0] as Buffer),
    pool.slice(0, 1),
    'rsa-pkcs1',
    'sha256',
  );
  const started = performance.now();
  const reader = PdfReader.fromFile(input);
  const appended = await signPdf(reader, signer, {}, 'B-B', {
    tsa: { urls: [], timeoutMs: 1000 },
    certificatePool: pool,
    revocationTimeoutMs: 1000,
  });
  reader.close();
  fs.copyFileSync(input, output);
  fs.appendFileSync(output, appended);
  const ms = performance.now() - started;
  hsm.close();
  process.stdout.write(
    JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, inputMb: fs.statSync(input).size / 1048576 }),
  );
}

void main();
