package dev.sdqueue.pipeline.png;

import org.w3c.dom.Node;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads PNG tEXt/iTXt entries back with javax.imageio (an independent decoder). */
public final class PngTextReader {

    private PngTextReader() {
    }

    public static String parameters(byte[] png) {
        try {
            return readText(png).get("parameters");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, String> readText(byte[] png) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(png))) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            try {
                reader.setInput(in);
                IIOMetadata meta = reader.getImageMetadata(0);
                Node root = meta.getAsTree("javax_imageio_png_1.0");
                for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                    for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
                        if (e.getNodeName().equals("tEXtEntry")) {
                            out.put(attr(e, "keyword"), attr(e, "value"));
                        } else if (e.getNodeName().equals("iTXtEntry")) {
                            out.put(attr(e, "keyword"), attr(e, "text"));
                        }
                    }
                }
            } finally {
                reader.dispose();
            }
        }
        return out;
    }

    private static String attr(Node n, String name) {
        return n.getAttributes().getNamedItem(name).getNodeValue();
    }
}
