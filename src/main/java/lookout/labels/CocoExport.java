package lookout.labels;

import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import lookout.common.Json;
import lookout.dataset.Box;

/**
 * The labelled set as COCO detection JSON. {@code file_name} is the sample id plus the image's
 * extension, so images written beside the JSON (optional) line up with it.
 */
public final class CocoExport {
    private CocoExport() {
    }

    public static ObjectNode toCoco(List<LabelSample> samples, List<String> categories) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putObject("info").put("description", "Lookout labelled frames (lookout.labels)");
        ArrayNode images = root.putArray("images");
        ArrayNode annotations = root.putArray("annotations");
        ArrayNode cats = root.putArray("categories");
        for (int c = 0; c < categories.size(); c++) {
            cats.addObject().put("id", c + 1).put("name", categories.get(c));
        }
        int annId = 1;
        for (int i = 0; i < samples.size(); i++) {
            LabelSample s = samples.get(i);
            int imageId = i + 1;
            ObjectNode img = images.addObject().put("id", imageId).put("file_name", fileName(s))
                    .put("width", s.width()).put("height", s.height()).put("lookout_id", s.id());
            if (s.camera() != null) {
                img.put("camera", s.camera());
            }
            for (int b = 0; b < s.boxes().size(); b++) {
                Box box = s.boxes().get(b);
                ObjectNode a = annotations.addObject().put("id", annId++).put("image_id", imageId)
                        .put("category_id", categories.indexOf(s.labels().get(b)) + 1);
                a.putArray("bbox").add(box.x1()).add(box.y1()).add(box.width()).add(box.height());
                a.put("area", box.width() * box.height()).put("iscrowd", 0);
            }
        }
        return root;
    }

    /**
     * Sample id made safe as a relative path, with the image's real extension: characters other than
     * letters, digits, {@code . _ - /} become {@code _}, empty and {@code .}/{@code ..} segments go, so
     * an id such as {@code /etc/passwd} or {@code a/../../b} stays a path below the export folder.
     */
    public static String fileName(LabelSample s) {
        String ext = s.image().length > 3 && (s.image()[0] & 0xff) == 0x89 && s.image()[1] == 'P' ? ".png" : ".jpg";
        StringBuilder out = new StringBuilder();
        for (String segment : s.id().replaceAll("[^A-Za-z0-9._/-]", "_").split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (!out.isEmpty()) {
                out.append('/');
            }
            out.append(segment.replace("..", "__"));
        }
        return (out.isEmpty() ? "_" : out.toString()) + ext;
    }
}
