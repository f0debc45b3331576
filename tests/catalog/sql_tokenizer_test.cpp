#include "dls/catalog/sql_tokenizer.h"

#include <gtest/gtest.h>

using dls::catalog::split_statements;
using dls::catalog::string_value;
using dls::catalog::Token;
using dls::catalog::tokenize_sql;
using dls::catalog::TokenKind;

namespace {

std::vector<Token> significant(std::string_view sql) {
  std::vector<Token> out;
  for (const auto& t : tokenize_sql(sql)) {
    if (!t.is_trivia()) out.push_back(t);
  }
  return out;
}

}  // namespace

TEST(SqlTokenizer, TokensCoverTheInputExactly) {
  std::string sql = "SELECT 'a''b', \"x\"\"y\" -- c\n/* d /* e */ f */ FROM t;";
  std::string joined;
  for (const auto& t : tokenize_sql(sql)) joined += t.text;
  EXPECT_EQ(joined, sql);
}

TEST(SqlTokenizer, StringsWithDoubledQuotes) {
  auto toks = significant("SELECT 'it''s main.s.t'");
  ASSERT_EQ(toks.size(), 2u);
  EXPECT_EQ(toks[1].kind, TokenKind::kString);
  EXPECT_EQ(string_value(toks[1]), "it's main.s.t");
}

TEST(SqlTokenizer, EscapeAndDollarStrings) {
  auto toks = significant(R"(SELECT E'a\'b', $$x'y$$, $q$ $$ $q$)");
  ASSERT_EQ(toks.size(), 6u);
  EXPECT_EQ(string_value(toks[1]), "a'b");
  EXPECT_EQ(string_value(toks[3]), "x'y");
  EXPECT_EQ(string_value(toks[5]), " $$ ");
}

TEST(SqlTokenizer, QuotedIdentifiersAndComments) {
  auto toks = tokenize_sql("\"a \"\" b\"--x\n/* /* nested */ still */");
  ASSERT_EQ(toks.size(), 4u);
  EXPECT_EQ(toks[0].kind, TokenKind::kQuotedIdentifier);
  EXPECT_EQ(dls::catalog::identifier_value(toks[0]), "a \" b");
  EXPECT_EQ(toks[1].kind, TokenKind::kComment);
  EXPECT_EQ(toks[3].kind, TokenKind::kComment);
  EXPECT_EQ(toks[3].text, "/* /* nested */ still */");
}

TEST(SqlTokenizer, OperatorsIncludingNamedArgumentArrows) {
  auto toks = significant("f(version => 1, x := 2, y::INT)");
  EXPECT_TRUE(toks[3].is_symbol("=>"));
  EXPECT_TRUE(toks[7].is_symbol(":="));
  EXPECT_TRUE(toks[11].is_symbol("::"));
}

TEST(SqlTokenizer, UnterminatedStringRunsToTheEnd) {
  auto toks = significant("SELECT 'abc");
  ASSERT_EQ(toks.size(), 2u);
  EXPECT_EQ(toks[1].text, "'abc");
}

TEST(SqlTokenizer, SplitStatementsIgnoresSemicolonsInStringsAndComments) {
  auto stmts = split_statements("SELECT ';'; -- a;b\n SELECT 2 /* ; */;  ; -- only a comment");
  ASSERT_EQ(stmts.size(), 2u);
  EXPECT_EQ(stmts[0], "SELECT ';'");
  EXPECT_EQ(stmts[1], " -- a;b\n SELECT 2 /* ; */");
}
