package dev.interlock;

/** Validation of the texts that end up in the lock document: lock names, space ids, task ids, labels. */
final class Names {
    /** The longest lock name, in characters (Unicode code points). */
    static final int MAX_NAME_LENGTH = 200;

    private Names() {
    }

    /**
     * Checks a text: 1 to {@code max} code points, no control characters, no unpaired surrogates.
     *
     * @return the text
     * @throws NullPointerException     if it is null
     * @throws IllegalArgumentException naming {@code what} and the problem
     */
    static String check(String what, String text, int max) {
        if (text == null) {
            throw new NullPointerException(what + " must not be null");
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        int codePoints = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (Character.isISOControl(cp)) {
                throw new IllegalArgumentException(what + " must not contain control characters, found U+"
                        + String.format("%04X", cp) + " at index " + i + " in " + quoteShort(text));
            }
            if (Character.isSurrogate((char) cp)) {
                throw new IllegalArgumentException(what + " must not contain an unpaired surrogate, found one at index "
                        + i + " in " + quoteShort(text));
            }
            codePoints++;
            i += Character.charCount(cp);
        }
        if (codePoints > max) {
            throw new IllegalArgumentException(what + " must be at most " + max + " characters, was " + codePoints
                    + ": " + quoteShort(text));
        }
        return text;
    }

    /** Like {@link #check} but null passes. */
    static String checkOptional(String what, String text, int max) {
        return text == null ? null : check(what, text, max);
    }

    /** A short, printable rendering of a text for error messages. */
    static String quoteShort(String text) {
        StringBuilder out = new StringBuilder("'");
        int shown = 0;
        for (int i = 0; i < text.length() && shown < 40; i++, shown++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        if (text.length() > 40) {
            out.append("...");
        }
        return out.append('\'').toString();
    }
}
