package dev.interlock;

/** Validation of the texts that end up in the lock document: lock names, space ids, task ids, labels. */
final class Names {
    /** The longest lock name, in characters (Unicode code points). */
    static final int MAX_NAME_LENGTH = 200;

    private Names() {
    }

    /**
     * Checks a text: 1 to {@code max} code points; no control characters; no format characters (bidi controls such as
     * U+202E, zero-width characters such as U+200B, the byte order mark) and no line or paragraph separators (U+2028,
     * U+2029), which would let a name reorder, hide or break the log lines and messages that quote it; no unpaired
     * surrogates.
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
            int type = Character.getType(cp);
            if (type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                throw new IllegalArgumentException(what + " must not contain invisible format or separator characters"
                        + " (bidi controls, zero-width characters, line separators), found U+" + String.format("%04X", cp)
                        + " at index " + i + " in " + quoteShort(text));
            }
            if (type == Character.SURROGATE) { // a lone surrogate: codePointAt returned the char itself
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
            int type = Character.getType(c);
            boolean hidden = Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE && !pairedAt(text, i);
            out.append(hidden ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        if (text.length() > 40) {
            out.append("...");
        }
        return out.append('\'').toString();
    }

    /** @return whether the surrogate at {@code i} is one half of a valid pair */
    private static boolean pairedAt(String text, int i) {
        char c = text.charAt(i);
        return Character.isHighSurrogate(c) ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
    }
}
