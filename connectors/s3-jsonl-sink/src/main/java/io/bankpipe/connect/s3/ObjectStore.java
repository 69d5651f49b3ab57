package io.bankpipe.connect.s3;

import java.io.IOException;

/** Where finished objects go. S3 in production; the seam lets the buffering logic be tested alone. */
interface ObjectStore extends AutoCloseable {

  /** Writes the whole object under key, replacing any object with the same key. */
  void put(String key, byte[] body, String contentType) throws IOException;

  @Override
  void close();
}
