package diffusion;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reading the reference-code fixtures under test resources (tools/reference/generate.py writes them). */
public final class ReferenceFixture {

    private ReferenceFixture() {
    }

    /** The JSON object of a class-path resource such as "/reference/score_sde.json". */
    public static JsonObject load(String resource) {
        try (Reader reader = new InputStreamReader(ReferenceFixture.class.getResourceAsStream(resource), StandardCharsets.UTF_8)) {
            return JsonParser.parseReader(reader).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The numbers of a nested array, flattened in row-major order. */
    public static double[] doubles(JsonArray array) {
        List<Double> values = new ArrayList<>();
        flatten(array, values);
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** values rounded to float (the fixtures' float32 draws and states). */
    public static float[] floats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    private static void flatten(JsonElement element, List<Double> values) {
        if (element.isJsonArray()) {
            for (JsonElement e : element.getAsJsonArray()) {
                flatten(e, values);
            }
        } else {
            values.add(element.getAsDouble());
        }
    }
}
