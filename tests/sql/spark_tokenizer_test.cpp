// The Spark SQL tokenizer: string escapes and the position of lexical errors.
#include "dls/sql/spark/tokenizer.h"

#include <gtest/gtest.h>

#include "dls/sql/spark/spark_error.h"

namespace dls::sql::spark {
namespace {

std::string string_token(std::string_view sql) {
  std::vector<Token> tokens = tokenize(sql);
  EXPECT_EQ(tokens.size(), 2u) << sql;
  EXPECT_EQ(tokens[0].kind, Token::Kind::kString) << sql;
  return tokens[0].text;
}

// The 0-based position of the syntax error `sql` raises (fails the test when none is raised).
size_t syntax_error_position(std::string_view sql) {
  try {
    tokenize(sql);
  } catch (const SparkSyntaxError& e) {
    return e.position();
  }
  ADD_FAILURE() << "no SparkSyntaxError for " << sql;
  return std::string_view::npos;
}

// Spark 4's lexer: a doubled quote inside a literal is one quote; adjacent literals with space
// between them are still separate tokens (the parser joins them).
TEST(SparkTokenizer, DoubledQuoteInsideALiteralIsOneQuote) {
  EXPECT_EQ(string_token("'it''s'"), "it's");
  EXPECT_EQ(string_token(R"("say ""hi""")"), "say \"hi\"");
  EXPECT_EQ(string_token("''''"), "'");
  EXPECT_EQ(string_token("''"), "");
  EXPECT_EQ(tokenize("'a' 'b'").size(), 3u);
}

TEST(SparkTokenizer, CommentsAreTokensWhenAsked) {
  std::vector<Token> tokens = tokenize("a -- x\n/* y */ b", {.comments = true});
  ASSERT_EQ(tokens.size(), 5u);
  EXPECT_EQ(tokens[1].kind, Token::Kind::kComment);
  EXPECT_EQ(tokens[1].text, "-- x");
  EXPECT_EQ(tokens[2].text, "/* y */");
  EXPECT_EQ(tokenize("a -- x\n/* y */ b").size(), 3u);
}

TEST(SparkTokenizer, UnicodeEscapeTakesFourHexDigits) {
  EXPECT_EQ(string_token(R"('caf\u00e9')"), "caf\xC3\xA9");
  EXPECT_EQ(string_token(R"('\u00E9x')"), "\xC3\xA9x");
  EXPECT_EQ(string_token(R"("\u20AC")"), "\xE2\x82\xAC");
}

TEST(SparkTokenizer, SurrogatePairEscapesAreOneCharacter) {
  EXPECT_EQ(string_token(R"('\uD83D\uDE00')"), "\xF0\x9F\x98\x80");
}

TEST(SparkTokenizer, NonHexUnicodeEscapeIsASyntaxErrorAtTheBackslash) {
  // Was "stoul" from std::stoul (exit 1, no position).
  EXPECT_EQ(syntax_error_position(R"(SELECT '\uZZZZ')"), 8u);
  EXPECT_EQ(syntax_error_position(R"('ab\u0G00')"), 3u);
}

TEST(SparkTokenizer, ShortUnicodeEscapeDoesNotSwallowTheClosingQuote) {
  // Was read as \u0012 followed by the quote and the next characters as string content.
  EXPECT_EQ(syntax_error_position(R"('\u12' || 'abcdef')"), 1u);
  EXPECT_EQ(syntax_error_position(R"('\u12')"), 1u);
  EXPECT_EQ(syntax_error_position(R"('\u)"), 1u);
}

TEST(SparkTokenizer, LoneSurrogateEscapeIsASyntaxError) {
  EXPECT_EQ(syntax_error_position(R"('\uD83D')"), 1u);
  EXPECT_EQ(syntax_error_position(R"('\uDE00')"), 1u);
  EXPECT_EQ(syntax_error_position(R"('\uD83Dx\uDE00')"), 1u);
}

TEST(SparkTokenizer, SyntaxErrorMessageNamesThePosition) {
  try {
    tokenize(R"(SELECT '\uZZZZ')");
    FAIL() << "no error";
  } catch (const SparkSyntaxError& e) {
    EXPECT_NE(std::string(e.what()).find("\\u escape"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at position 8"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dls::sql::spark
