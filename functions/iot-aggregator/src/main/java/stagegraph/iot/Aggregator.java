package stagegraph.iot;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.PublishRequest;

/**
 * IoT aggregation (scenario 2): device readings arrive in batches from a DMS queue or a DIS stream.
 * Each batch is aggregated per device (count, min, max, mean temperature) and published to the
 * telemetry topic; a device whose maximum passes the threshold raises an alert on the alert topic.
 * Malformed readings are reported as failed items, so only they come back.
 */
public class Aggregator implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Gson GSON = new Gson();
    private final SnsClient sns = SnsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    private final double threshold = Double.parseDouble(System.getenv().getOrDefault("THRESHOLD", "30"));

    /** Count, min, max and sum of one device's readings in a batch. */
    static final class Stats {
        int count;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum;

        void add(double value) {
            count++;
            min = Math.min(min, value);
            max = Math.max(max, value);
            sum += value;
        }
    }

    /** One reading: {"device": "sensor-1", "temperature": 21.5}. */
    static JsonObject parseReading(String text) {
        JsonObject reading = JsonParser.parseString(text).getAsJsonObject();
        if (!reading.has("device") || !reading.get("device").isJsonPrimitive() || !reading.has("temperature")
                || !reading.get("temperature").getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("a reading needs a device and a numeric temperature: " + text);
        }
        return reading;
    }

    /** Aggregates readings per device, in device order. */
    static Map<String, Stats> aggregate(List<JsonObject> readings) {
        Map<String, Stats> byDevice = new TreeMap<>();
        for (JsonObject reading : readings) {
            byDevice.computeIfAbsent(reading.get("device").getAsString(), d -> new Stats()).add(reading.get("temperature").getAsDouble());
        }
        return byDevice;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        List<Map<String, Object>> records = (List<Map<String, Object>>) event.getOrDefault("Records", List.of());
        List<JsonObject> readings = new ArrayList<>();
        List<Map<String, String>> failures = new ArrayList<>();
        String source = "none";
        for (Map<String, Object> record : records) {
            String id;
            String body;
            if (record.containsKey("kinesis")) {
                Map<String, Object> kinesis = (Map<String, Object>) record.get("kinesis");
                id = (String) kinesis.get("sequenceNumber");
                body = new String(Base64.getDecoder().decode((String) kinesis.get("data")), StandardCharsets.UTF_8);
                source = "dis";
            } else {
                id = (String) record.get("messageId");
                body = (String) record.get("body");
                source = "dms";
            }
            try {
                readings.add(parseReading(body));
            } catch (RuntimeException e) {
                context.getLogger().log("rejected reading " + id + ": " + e.getMessage());
                failures.add(Map.of("itemIdentifier", id));
            }
        }
        for (Map.Entry<String, Stats> entry : aggregate(readings).entrySet()) {
            Stats stats = entry.getValue();
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("device", entry.getKey());
            summary.put("source", source);
            summary.put("count", stats.count);
            summary.put("min", stats.min);
            summary.put("max", stats.max);
            summary.put("mean", stats.sum / stats.count);
            publish(System.getenv("TELEMETRY_TOPIC_ARN"), "Device aggregate", summary);
            if (stats.max > threshold) {
                Map<String, Object> alert = new LinkedHashMap<>(summary);
                alert.put("threshold", threshold);
                publish(System.getenv("ALERT_TOPIC_ARN"), "Temperature alert", alert);
            }
        }
        context.getLogger().log("aggregated " + readings.size() + " readings from " + source + ", " + failures.size() + " rejected");
        return Map.of("batchItemFailures", failures);
    }

    private void publish(String topicArn, String subject, Map<String, Object> message) {
        sns.publish(PublishRequest.builder().topicArn(topicArn).subject(subject).message(GSON.toJson(message)).build());
    }
}
