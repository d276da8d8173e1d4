// EU DSS 6.x validating one PDF offline (embedded validation data only, no online sources), one
// thread, warm JVM: prints each signature's verdict once, then validations per second over a
// timed window after a warm-up. Run by bench/validation/run.ts with the jars of infra/dss/pom.xml:
//   java -cp '<lib>/*' DssBench.java <file.pdf> <anchor.pem> <warm-up s> <measure s>
import eu.europa.esig.dss.model.DSSDocument;
import eu.europa.esig.dss.model.InMemoryDocument;
import eu.europa.esig.dss.spi.DSSUtils;
import eu.europa.esig.dss.spi.validation.CommonCertificateVerifier;
import eu.europa.esig.dss.spi.x509.CommonTrustedCertificateSource;
import eu.europa.esig.dss.simplereport.SimpleReport;
import eu.europa.esig.dss.validation.SignedDocumentValidator;
import eu.europa.esig.dss.validation.reports.Reports;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;

public class DssBench {
  static Reports validate(byte[] bytes, CommonCertificateVerifier verifier) {
    DSSDocument document = new InMemoryDocument(bytes);
    SignedDocumentValidator validator = SignedDocumentValidator.fromDocument(document);
    validator.setCertificateVerifier(verifier);
    return validator.validateDocument();
  }

  public static void main(String[] args) throws Exception {
    byte[] bytes = Files.readAllBytes(new File(args[0]).toPath());
    CommonTrustedCertificateSource trusted = new CommonTrustedCertificateSource();
    trusted.addCertificate(DSSUtils.loadCertificate(new File(args[1])));
    CommonCertificateVerifier verifier = new CommonCertificateVerifier();
    verifier.setTrustedCertSources(trusted);
    // Offline: no OCSP, CRL or AIA fetching; what the file embeds is all there is.
    verifier.setOcspSource(null);
    verifier.setCrlSource(null);
    verifier.setAIASource(null);
    SimpleReport simple = validate(bytes, verifier).getSimpleReport();
    for (String id : simple.getSignatureIdList())
      System.out.println("SIGNATURE " + id + " " + simple.getIndication(id) + " " + simple.getSubIndication(id));
    long warmEnd = System.nanoTime() + (long) (Double.parseDouble(args[2]) * 1e9);
    while (System.nanoTime() < warmEnd) validate(bytes, verifier);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long end = start + (long) (Double.parseDouble(args[3]) * 1e9);
    int count = 0;
    while (System.nanoTime() < end) {
      validate(bytes, verifier);
      count += 1;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // CPU time of this (the validating) thread: a per-core rate that a loaded machine distorts less.
    double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
    System.out.println("RATE " + (count / seconds) + " " + count + " " + (count / cpuSeconds));
  }
}
