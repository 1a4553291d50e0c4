// A shop's two main calls with Java's java.net.http: a campaign, then a transactional message.
//   javac TocsinClient.java && TOCSIN_URL=https://alerts.example TOCSIN_TOKEN=... [TOCSIN_CA=cert.pem] java TocsinClient
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

public class TocsinClient {
  static final String URL = System.getenv("TOCSIN_URL");
  static final String TOKEN = System.getenv("TOCSIN_TOKEN");

  // Trusts the appliance's certificate file when one is given (a self-signed appliance).
  static HttpClient client() throws Exception {
    String ca = System.getenv("TOCSIN_CA");
    if (ca == null || ca.isEmpty()) return HttpClient.newHttpClient();
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (FileInputStream in = new FileInputStream(ca)) {
      store.setCertificateEntry("tocsin", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trust.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).build();
  }

  static String post(HttpClient http, String path, String json, String key) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(URL + path))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(json)).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) throw new RuntimeException(path + ": " + response.statusCode() + " " + response.body());
    return response.body();
  }

  public static void main(String[] args) throws Exception {
    HttpClient http = client();
    System.out.println("campaign " + post(http, "/v1/campaigns",
        "{\"title\": \"Winter menu\", \"texts\": [{\"language\": \"fr\", \"text\": "
            + "\"Bonjour {name|}, le menu d hiver est arrive (java).\"}], \"area\": {\"lists\": [\"regulars\"]}}",
        "java-campaign-1"));
    System.out.println("message " + post(http, "/v1/messages",
        "{\"to\": \"+33612000501\", \"text\": \"Votre commande {order} est prete (java).\", "
            + "\"fields\": {\"order\": \"J-1\"}, \"no_promotion\": true}",
        "java-order-1"));
  }
}
