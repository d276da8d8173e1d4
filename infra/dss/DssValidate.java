// Validates a PDF with EU DSS against one trust anchor (online OCSP/CRL) and prints one line per
// signature: SIGNATURE <id> <indication> <sub-indication> <format> <signed by>. Run by infra/src/dss.ts.
import eu.europa.esig.dss.model.FileDocument;
import eu.europa.esig.dss.spi.DSSUtils;
import eu.europa.esig.dss.spi.validation.CommonCertificateVerifier;
import eu.europa.esig.dss.spi.x509.CommonTrustedCertificateSource;
import eu.europa.esig.dss.service.crl.OnlineCRLSource;
import eu.europa.esig.dss.service.ocsp.OnlineOCSPSource;
import eu.europa.esig.dss.simplereport.SimpleReport;
import eu.europa.esig.dss.validation.SignedDocumentValidator;
import eu.europa.esig.dss.validation.reports.Reports;
import java.io.File;

public class DssValidate {
  public static void main(String[] args) throws Exception {
    CommonTrustedCertificateSource trusted = new CommonTrustedCertificateSource();
    trusted.addCertificate(DSSUtils.loadCertificate(new File(args[1])));
    CommonCertificateVerifier verifier = new CommonCertificateVerifier();
    verifier.setTrustedCertSources(trusted);
    verifier.setCrlSource(new OnlineCRLSource());
    verifier.setOcspSource(new OnlineOCSPSource());
    SignedDocumentValidator validator = SignedDocumentValidator.fromDocument(new FileDocument(new File(args[0])));
    validator.setCertificateVerifier(verifier);
    Reports reports = validator.validateDocument();
    SimpleReport simple = reports.getSimpleReport();
    for (String id : simple.getSignatureIdList()) {
      System.out.println("SIGNATURE " + id + " " + simple.getIndication(id) + " " + simple.getSubIndication(id)
        + " " + simple.getSignatureFormat(id) + " " + simple.getSignedBy(id));
    }
  }
}
